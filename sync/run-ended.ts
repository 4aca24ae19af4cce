/** Why a run recorded as running was closed `failed` by the next start (docs/design.md rule 12). */
export const ENDED_WITHOUT_OUTCOME = 'The run ended in Temporal without recording its outcome (terminated, cancelled or timed out)';

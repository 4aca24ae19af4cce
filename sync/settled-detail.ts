/**
 * A retryable failure's message promises a retry ("…; the sync retries automatically") while
 * Temporal retries it. Once the retries have run out, that message becomes a run's or a company's
 * recorded detail, where the promise is no longer true: the MSP would wait for a retry that never
 * comes. The recorded detail drops it and says what happens instead (docs/design.md rule 9).
 */
const retryPromise = /(;| and) the sync (retries automatically|waits and retries)/g;

export function settledDetail(detail: string): string;
export function settledDetail(detail: string | null): string | null;
export function settledDetail(detail: string | null): string | null {
  if (detail === null || !detail.match(retryPromise)) return detail;
  const without = detail.replace(retryPromise, '');
  return /gave up/.test(without) ? without : `${without} — the sync gave up after retrying; the next sync tries again`;
}

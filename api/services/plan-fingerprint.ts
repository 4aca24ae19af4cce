/**
 * A previewed plan's fingerprint: SHA-256 of its changes in canonical form (sync/preview.ts).
 * The portal sends back the fingerprint of the preview it showed, so Apply writes only what the
 * MSP saw; it is an identity of the plan, not a secret.
 */
import { createHash } from 'node:crypto';
import { canonicalChanges, type PlannedChange } from '../../sync/preview.ts';

export const planFingerprint = (changes: readonly PlannedChange[]) => `sha256:${createHash('sha256').update(canonicalChanges(changes)).digest('hex')}`;

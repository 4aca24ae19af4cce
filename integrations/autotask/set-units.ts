/**
 * "Set units": make a contract service carry `target` units from `effectiveDate`, exactly once.
 * Adjustments are deltas and cannot be read back, so the only safe way is: know the current
 * units → post the difference only if it differs → re-read to confirm. A caller that is not sure
 * its known value is still true (any retry) passes none, and the units are read first.
 *
 * Once a delta has been posted, nothing here posts again: a confirming read that does not show
 * the target is a permanent failure, because re-reading and re-posting would stack a second
 * delta on one that may still land (DESIGN rule 8: never blind, never twice, always explained).
 */
import { IntegrationError } from '../errors.ts';
import type { AutotaskClient } from './client.ts';
import type { ConfirmTicket } from './confirm-reads.ts';
import { MAX_UNITS, isInt32 } from './limits.ts';

export { MAX_UNITS } from './limits.ts';

export interface SetUnitsInput {
  contractId: number;
  serviceId: number;
  /** `YYYY-MM-DD`, the first day of the period the next invoice covers. */
  effectiveDate: string;
  target: number;
  /** Units read by a batched read just before; omitted = read them now. */
  knownCurrent?: number;
}

export interface SetUnitsResult {
  before: number;
  after: number;
  /** The adjustment posted; null when none was needed, or when Autotask's answer did not name it. */
  adjustmentId: number | null;
  /** The contract service's unit price from the last read that carried units; null when unknown. */
  unitPrice: number | null;
  /** Something the run's record should say beyond the numbers (an adjustment confirmed only by reading). */
  note: string | null;
  requests: number;
}

/**
 * Called the moment Autotask accepts the adjustment (its id, or null when the answer did not name
 * it), before the confirming read: the caller saves it, so that nothing posts to the pair again
 * even if the read, or the process, fails next.
 */
export type OnPosted = (adjustmentId: number | null) => Promise<void>;

/**
 * `confirm`: where the confirming read goes, announced before the post (a batch of many
 * companies' reads, `ConfirmReads`); omitted = a read of its own.
 */
export async function setUnits(client: AutotaskClient, input: SetUnitsInput, signal?: AbortSignal, onPosted?: OnPosted, confirm?: () => ConfirmTicket): Promise<SetUnitsResult> {
  const { contractId, serviceId, effectiveDate, target } = input;
  const where = `contract ${contractId} service ${serviceId}`;
  if (!Number.isInteger(target) || target < 0) {
    throw new IntegrationError('autotask', 'validation', `cannot set ${where} to ${target} units: a whole number ≥ 0 is needed; nothing was sent`);
  }
  if (target > MAX_UNITS) {
    throw new IntegrationError('autotask', 'validation', `refusing to set ${where} to ${target.toLocaleString('en-US')} units: more than ${MAX_UNITS.toLocaleString('en-US')} is surely a wrong count; nothing was sent — check the count in Password Boss`);
  }
  const startRequests = client.requests;
  const spent = () => client.requests - startRequests;
  const read = () => client.serviceUnits(contractId, serviceId, effectiveDate, signal);

  const first = input.knownCurrent === undefined ? await read() : { units: input.knownCurrent, unitPrice: null };
  const before = first.units;
  if (before === target) return { before, after: before, adjustmentId: null, unitPrice: first.unitPrice, note: null, requests: spent() };
  const unitChange = target - before;
  if (!isInt32(unitChange)) {
    throw new IntegrationError('autotask', 'validation', `cannot move ${where} from ${before} to ${target} units: the change does not fit Autotask's unitChange; nothing was sent — check the units on the contract in Autotask`);
  }

  const ticket = confirm?.();
  let adjustmentId: number | null;
  let confirmed: { units: number; unitPrice: number | null };
  try {
    adjustmentId = await client.createAdjustment({ contractId, serviceId, effectiveDate, unitChange }, signal);
    await onPosted?.(adjustmentId);
    confirmed = ticket ? await ticket.read(contractId, serviceId, signal) : await read();
  } finally {
    ticket?.withdraw();
  }
  const after = confirmed.units;
  const unitPrice = confirmed.unitPrice ?? first.unitPrice;
  const posted = `${before} → ${target} from ${effectiveDate}`;
  const dontRepost = `check ${where} in Autotask; the sync will not post again in this run`;

  if (adjustmentId === null) {
    // A 2xx without an id: the write probably landed, and only the units can tell.
    if (after === target) {
      return { before, after, adjustmentId: null, unitPrice, note: `Autotask's answer did not name the adjustment (${posted}); the units read back as ${after}, so it was applied`, requests: spent() };
    }
    throw new IntegrationError('autotask', 'adjustment_unconfirmed', `Autotask answered the adjustment of ${where} (${posted}) without naming it, and the units read ${after}, not ${target}: ${dontRepost}`);
  }
  if (after !== target) {
    // Not applied, applied late, or someone else changed the units meanwhile: posting again could double the change.
    throw new IntegrationError('autotask', 'adjustment_not_applied', `Autotask accepted adjustment ${adjustmentId} (${where}, ${posted}) but the units read back as ${after}: ${dontRepost}`, { adjustmentId });
  }
  return { before, after, adjustmentId, unitPrice, note: null, requests: spent() };
}

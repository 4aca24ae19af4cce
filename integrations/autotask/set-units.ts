/**
 * "Set units": make a contract service carry `target` units from `effectiveDate`, exactly once.
 * Adjustments are deltas and cannot be read back, so the only safe way is: know the current
 * units → post the difference only if it differs → re-read to confirm. A caller that is not sure
 * its known value is still true (any retry) passes none, and the units are read first.
 */
import { IntegrationError } from '../errors.ts';
import type { AutotaskClient } from './client.ts';

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
  adjustmentId: number | null;
  requests: number;
}

export async function setUnits(client: AutotaskClient, input: SetUnitsInput, signal?: AbortSignal): Promise<SetUnitsResult> {
  if (!Number.isInteger(input.target) || input.target < 0) {
    throw new IntegrationError('autotask', 'validation', `cannot set ${input.target} units: a whole number ≥ 0 is needed`);
  }
  const startRequests = client.requests;
  const before = input.knownCurrent ?? (await client.unitsOf(input.contractId, input.serviceId, input.effectiveDate, signal));
  if (before === input.target) return { before, after: before, adjustmentId: null, requests: client.requests - startRequests };
  const adjustmentId = await client.createAdjustment({ contractId: input.contractId, serviceId: input.serviceId, effectiveDate: input.effectiveDate, unitChange: input.target - before }, signal);
  const after = await client.unitsOf(input.contractId, input.serviceId, input.effectiveDate, signal);
  if (after !== input.target) {
    // Someone else changed the units between our read and our write; a retry re-reads and corrects.
    throw new IntegrationError('autotask', 'unavailable', `contract ${input.contractId} service ${input.serviceId} reads ${after} units after adjusting ${before} → ${input.target}; another change happened at the same time, so the sync re-reads and retries`, { ambiguous: false });
  }
  return { before, after, adjustmentId, requests: client.requests - startRequests };
}

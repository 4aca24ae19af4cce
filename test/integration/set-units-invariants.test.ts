/**
 * The rules of the one money-moving write (DESIGN rule 8), against the simulator over real HTTP:
 * a write that does not read back fails for good and is never posted again; an unreadable 2xx
 * answer is followed by a re-read, never by a blind re-post; absurd counts never leave the
 * process; a trusted first attempt costs no read; and the contract's unit price comes back with
 * the units, without an extra request.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_UNITS, setUnits } from '../../integrations/autotask/set-units.ts';
import { IntegrationError } from '../../integrations/errors.ts';
import { ACTIVE_CONTRACT, ADVANCED, STANDARD, STANDARD_PRICE, startTenant, type Tenant } from '../support/autotask-tenant.ts';

const EFFECTIVE = '2026-11-01';
let t: Tenant;
beforeAll(async () => {
  t = await startTenant();
});
afterAll(async () => t?.close());
beforeEach(() => t.reset());

async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(IntegrationError);
  return err as IntegrationError;
}

const posts = () => t.sim.faults.log.filter((r) => r.method === 'POST' && /adjustments/i.test(r.path));
const calls = () => t.sim.faults.log.filter((r) => !/zoneinformation/i.test(r.path)).map((r) => `${r.method} ${r.path.replace(/^.*\/v1\.0\//i, '')}`);
const units = () => t.client.unitsOf(ACTIVE_CONTRACT, STANDARD, EFFECTIVE);
const input = (target: number, knownCurrent?: number) => ({ contractId: ACTIVE_CONTRACT, serviceId: STANDARD, effectiveDate: EFFECTIVE, target, ...(knownCurrent === undefined ? {} : { knownCurrent }) });

describe('a write that does not read back as posted', () => {
  it.each([
    ['never applied', { kind: 'dropped' } as const],
    ['applied only after later reads', { kind: 'late', reads: 3 } as const],
  ])('%s: fails for good, naming the adjustment, and is not posted again', async (_name, fault) => {
    t.sim.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', fault });
    const err = await failure(setUnits(t.client, input(14, 10)));
    const adjustmentId = t.sim.state.adjustments.at(-1)!.id;
    expect(err).toMatchObject({ kind: 'adjustment_not_applied', retryable: false, extra: { adjustmentId } });
    expect(err.failureType).toBe('AutotaskAdjustmentNotApplied');
    expect(err.message).toContain(`adjustment ${adjustmentId}`);
    expect(err.message).toMatch(new RegExp(`check contract ${ACTIVE_CONTRACT} service ${STANDARD} in Autotask`));
    expect(err.message).toMatch(/will not post again in this run/);
    expect(posts()).toHaveLength(1);
  });
});

describe('a 2xx answer without a usable itemId', () => {
  it.each([
    ['a body that is not JSON', 'OK'],
    ['JSON without itemId', { id: 'accepted' }],
    ['an itemId that is not a number', { itemId: 'pending' }],
  ])('%s, write landed: re-reads and succeeds without an id', async (_name, body) => {
    t.sim.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', fault: { kind: 'garbled', body } });
    const result = await setUnits(t.client, input(14, 10));
    expect(result).toMatchObject({ before: 10, after: 14, adjustmentId: null, note: expect.stringMatching(/did not name the adjustment.*read back as 14/) });
    expect(calls()).toEqual(['POST ContractServiceAdjustments', 'POST ContractServiceUnits/query']);
    expect(await units()).toBe(14);
  });

  it('write not landed: fails for good as unconfirmed, never re-posts', async () => {
    t.sim.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', fault: { kind: 'status', status: 200, body: {} } });
    const err = await failure(setUnits(t.client, input(14, 10)));
    expect(err).toMatchObject({ kind: 'adjustment_unconfirmed', retryable: false });
    expect(err.failureType).toBe('AutotaskAdjustmentUnconfirmed');
    expect(err.message).toMatch(new RegExp(`check contract ${ACTIVE_CONTRACT} service ${STANDARD} in Autotask`));
    expect(err.message).toMatch(/reads? 10/);
    expect(posts()).toHaveLength(1);
    expect(await units()).toBe(10);
  });
});

describe('absurd targets never leave the process', () => {
  it(`refuses more than ${MAX_UNITS.toLocaleString('en-US')} units before any request`, async () => {
    const err = await failure(setUnits(t.client, input(MAX_UNITS + 1)));
    expect(err).toMatchObject({ kind: 'validation', retryable: false });
    expect(err.message).toMatch(/1,000,001 units/);
    expect(calls()).toEqual([]);
  });

  it('accepts the cap itself', async () => {
    await expect(setUnits(t.client, input(MAX_UNITS, 10))).resolves.toMatchObject({ after: MAX_UNITS });
  });

  it.each([-1, 2.5, Number.NaN])('refuses %d units before any request', async (target) => {
    const err = await failure(setUnits(t.client, input(target)));
    expect(err.kind).toBe('validation');
    expect(calls()).toEqual([]);
  });

  it('refuses a unitChange outside int32 before sending it', async () => {
    const err = await failure(t.client.createAdjustment({ contractId: ACTIVE_CONTRACT, serviceId: STANDARD, effectiveDate: EFFECTIVE, unitChange: 2 ** 31 }));
    expect(err).toMatchObject({ kind: 'validation', retryable: false });
    expect(err.message).toMatch(/2147483648/);
    expect(calls()).toEqual([]);
  });

  it('refuses a change outside int32 computed from a wild known value', async () => {
    const err = await failure(setUnits(t.client, input(5, -(2 ** 31))));
    expect(err.kind).toBe('validation');
    expect(calls()).toEqual([]);
  });
});

describe('knownCurrent', () => {
  it('a trusted first attempt posts without reading, then confirms', async () => {
    const result = await setUnits(t.client, input(12, 10));
    expect(result).toMatchObject({ before: 10, after: 12, adjustmentId: expect.any(Number), note: null });
    expect(calls()).toEqual(['POST ContractServiceAdjustments', 'POST ContractServiceUnits/query']);
  });

  it('without it, reads first and posts nothing when the target is there', async () => {
    const result = await setUnits(t.client, input(10));
    expect(result).toMatchObject({ before: 10, after: 10, adjustmentId: null });
    expect(calls()).toEqual(['POST ContractServiceUnits/query']);
  });
});

describe('unit price, for the amount the invoice will show', () => {
  it('comes with the batched read, from the contract\'s own price, at no extra request', async () => {
    const before = t.client.requests;
    const read = await t.client.unitsAt([ACTIVE_CONTRACT], EFFECTIVE);
    expect(t.client.requests - before).toBe(1);
    expect(read.get(`${ACTIVE_CONTRACT}:${STANDARD}`)).toMatchObject({ units: 10, unitPrice: STANDARD_PRICE });
  });

  it('comes back from a write, read by the confirming read', async () => {
    expect(await setUnits(t.client, input(12, 10))).toMatchObject({ unitPrice: STANDARD_PRICE });
    // A new contract service: Autotask creates it at the service's list price.
    expect(await setUnits(t.client, { ...input(4), serviceId: ADVANCED })).toMatchObject({ before: 0, after: 4, unitPrice: 5 });
  });

  it('is unknown (null) where no row carries units to divide by', async () => {
    await setUnits(t.client, input(0, 10));
    expect((await t.client.unitsAt([ACTIVE_CONTRACT], EFFECTIVE)).get(`${ACTIVE_CONTRACT}:${STANDARD}`)).toMatchObject({ units: 0, unitPrice: null });
  });
});

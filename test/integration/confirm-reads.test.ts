/**
 * Batched confirming reads (issue 15), against the simulator over HTTP: concurrent writes are
 * confirmed by one units query, each write still gets its own pair's units, a write that does not
 * read back still fails alone, and a failed batch read fails its writes without any re-post.
 * Nothing here waits on the batch timer: every batch goes out when its last announced write
 * arrives, or when it is full.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AutotaskClient } from '../../integrations/autotask/client.ts';
import { ConfirmReads } from '../../integrations/autotask/confirm-reads.ts';
import { setUnits } from '../../integrations/autotask/set-units.ts';
import type { IntegrationError } from '../../integrations/errors.ts';
import { startSimulators, type Simulators } from '../support/simulators.ts';

const EFFECTIVE = '2026-11-01';
/** Long enough that a test relying on it would time out: batches must leave on their own. */
const NEVER = 60_000;

let sims: Simulators;
let client: AutotaskClient;
let pairs: Array<{ contractId: number; serviceId: number; units: number }>;

beforeAll(async () => {
  sims = await startSimulators({ companies: 40, partnerId: 'confirm-reads' });
  client = new AutotaskClient({ zoneLookupUrl: sims.zoneLookupUrl, ...sims.demo.credentials });
  const seeded = [...new Map(sims.demo.autotask.adjustments!.map((a) => [`${a.contractID}:${a.serviceID}`, a])).values()];
  const units = await client.unitsAt(seeded.map((a) => a.contractID), EFFECTIVE);
  pairs = seeded.filter((a) => units.has(`${a.contractID}:${a.serviceID}`)).map((a) => ({ contractId: a.contractID, serviceId: a.serviceID, units: units.get(`${a.contractID}:${a.serviceID}`)!.units }));
  expect(pairs.length).toBeGreaterThanOrEqual(12);
});
afterAll(async () => sims?.close());
beforeEach(async () => {
  // Each test starts from the units Autotask holds now, whatever the last one left.
  const units = await client.unitsAt(pairs.map((p) => p.contractId), EFFECTIVE);
  for (const p of pairs) p.units = units.get(`${p.contractId}:${p.serviceId}`)?.units ?? 0;
  sims.autotask.faults.clear();
  sims.autotask.faults.log = [];
  sims.autotask.faults.logBodies = true;
});

const posts = () => sims.autotask.faults.log.filter((r) => r.method === 'POST' && /ContractServiceAdjustments/i.test(r.path));
const unitReads = () => sims.autotask.faults.log.filter((r) => /ContractServiceUnits/i.test(r.path));
const contractsIn = (body: unknown) => ((body as { filter: Array<{ field?: string; value?: number[] }> }).filter.find((f) => f.field === 'contractID')?.value ?? []).length;

/** Sets `by` more units on each pair, all at once, confirmed through `reads`. */
function setAll(reads: ConfirmReads, chosen: typeof pairs, by = 1) {
  return chosen.map((p) =>
    setUnits(client, { contractId: p.contractId, serviceId: p.serviceId, effectiveDate: EFFECTIVE, target: p.units + by, knownCurrent: p.units }, undefined, undefined, () => reads.announce('partner', client, EFFECTIVE))
  );
}

describe('confirming reads of concurrent writes', () => {
  it('go out as one query, and each write reads back its own pair', async () => {
    const chosen = pairs.slice(0, 12);
    const targets = chosen.map((p) => p.units + 1);
    const results = await Promise.all(setAll(new ConfirmReads({ maxWaitMs: NEVER }), chosen));
    expect(results.map((r) => r.after)).toEqual(targets);
    expect(results.every((r) => r.adjustmentId !== null)).toBe(true);
    expect(posts()).toHaveLength(12);
    expect(unitReads()).toHaveLength(1);
    expect(contractsIn(unitReads()[0]!.body)).toBe(new Set(chosen.map((p) => p.contractId)).size);
  });

  it('never hold more contracts than a batch takes', async () => {
    const chosen = pairs.slice(0, 12);
    await Promise.all(setAll(new ConfirmReads({ maxWaitMs: NEVER, maxContracts: 5 }), chosen));
    expect(posts()).toHaveLength(12);
    expect(unitReads().length).toBeGreaterThanOrEqual(3);
    for (const read of unitReads()) expect(contractsIn(read.body)).toBeLessThanOrEqual(5);
  });

  it('of a lone write leave at once', async () => {
    const started = performance.now();
    await Promise.all(setAll(new ConfirmReads({ maxWaitMs: NEVER }), pairs.slice(0, 1)));
    expect(performance.now() - started).toBeLessThan(NEVER / 2);
    expect(unitReads()).toHaveLength(1);
  });

  it('do not wait for a write whose post failed', async () => {
    sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', after: 2, fault: { kind: 'status', status: 400, body: { errors: ['unitChange is not valid'] } } });
    const settled = await Promise.allSettled(setAll(new ConfirmReads({ maxWaitMs: NEVER }), pairs.slice(0, 6)));
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(5);
    expect(unitReads().length).toBeGreaterThanOrEqual(1);
  });
});

describe('rule 8 through a batch', () => {
  it('a write that does not read back fails alone; the others are confirmed', async () => {
    sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', after: 3, fault: { kind: 'dropped' } });
    const chosen = pairs.slice(0, 8);
    const settled = await Promise.allSettled(setAll(new ConfirmReads({ maxWaitMs: NEVER }), chosen));
    const failed = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as IntegrationError] : []));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ kind: 'adjustment_not_applied', retryable: false });
    expect(posts()).toHaveLength(8);
  });

  it('a failed batch read fails every write in it, and nothing is posted again', async () => {
    sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceUnits', fault: { kind: 'reset' } });
    const chosen = pairs.slice(0, 6);
    const settled = await Promise.allSettled(setAll(new ConfirmReads({ maxWaitMs: NEVER }), chosen));
    expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as IntegrationError).retryable : 'confirmed'))).toEqual(chosen.map(() => true));
    expect(unitReads()).toHaveLength(1);
    expect(posts()).toHaveLength(6);
  });
});

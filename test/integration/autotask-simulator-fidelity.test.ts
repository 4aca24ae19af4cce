/**
 * Where the Autotask simulator used to be kinder than Autotask, and so hid billing bugs:
 * `unitChange` is an int32, every adjustment keeps its own unit row (also on the same day), an
 * inactive contract refuses adjustments, and an accepted adjustment may show late or never.
 * Over real HTTP, against a tenant small enough to know every row.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { q, query } from '../../integrations/autotask/query.ts';
import { contractServiceUnitSchema } from '../../integrations/autotask/schemas.ts';
import { ACTIVE_CONTRACT, INACTIVE_CONTRACT, STANDARD, startTenant, type Tenant } from '../support/autotask-tenant.ts';

let t: Tenant;
beforeAll(async () => {
  t = await startTenant();
});
afterAll(async () => t?.close());
beforeEach(() => t.reset());

async function postAdjustment(body: Record<string, unknown>): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${t.apiBase}/ContractServiceAdjustments`, { method: 'POST', headers: t.headers, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

const adjust = (unitChange: number, effectiveDate = '2026-11-01', contractID = ACTIVE_CONTRACT) =>
  postAdjustment({ contractID, serviceID: STANDARD, effectiveDate: `${effectiveDate}T00:00:00`, unitChange });

const novemberRows = async () =>
  (await t.client.queryAll('ContractServiceUnits', query([q.eq('contractID', ACTIVE_CONTRACT), q.lte('startDate', '2026-11-30T00:00:00'), q.gte('endDate', '2026-11-01T00:00:00')]), contractServiceUnitSchema))
    .map((r) => ({ id: r.id, startDate: r.startDate, endDate: r.endDate, units: r.units }));

describe('unitChange is an int32', () => {
  it.each([2 ** 31, -(2 ** 31) - 1, 1e12])('refuses %d with a validation error, like Autotask', async (unitChange) => {
    const { status, json } = await adjust(unitChange);
    expect(status).toBe(500);
    expect(json).toEqual({ errors: [expect.stringMatching(/unitChange/)] });
    expect(t.sim.state.adjustments.filter((a) => a.at > 0)).toEqual([]);
  });

  it('refuses a change that would leave more units than an int32 holds', async () => {
    const { status, json } = await adjust(2 ** 31 - 1); // 10 units already: one too many
    expect(status).toBe(500);
    expect(json).toEqual({ errors: [expect.stringMatching(/units/)] });
  });

  it('accepts the largest int32 change that fits', async () => {
    const { status } = await adjust(2 ** 31 - 1 - 10);
    expect(status).toBe(200);
    expect(await t.client.unitsOf(ACTIVE_CONTRACT, STANDARD, '2026-11-01')).toBe(2 ** 31 - 1);
  });
});

describe('every adjustment keeps its own unit row', () => {
  it('two adjustments on one day are two rows, the later one in force', async () => {
    expect((await adjust(2)).status).toBe(200);
    expect((await adjust(3)).status).toBe(200);
    expect((await adjust(1, '2026-11-15')).status).toBe(200);
    expect((await adjust(1, '2026-11-15')).status).toBe(200);
    const rows = await novemberRows();
    expect(rows.map(({ startDate, endDate, units }) => ({ startDate, endDate, units }))).toEqual([
      { startDate: '2026-11-01', endDate: '2026-11-01', units: 12 },
      { startDate: '2026-11-01', endDate: '2026-11-15', units: 15 },
      { startDate: '2026-11-15', endDate: '2026-11-15', units: 16 },
      { startDate: '2026-11-15', endDate: '2026-11-30', units: 17 },
    ]);
    // The later adjustment's row has the higher id, so "latest start, then highest id" reads it.
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort((a, b) => a - b));
    expect(await t.client.unitsOf(ACTIVE_CONTRACT, STANDARD, '2026-11-01')).toBe(15);
    expect(await t.client.unitsOf(ACTIVE_CONTRACT, STANDARD, '2026-11-15')).toBe(17);
    expect((await t.client.unitsAt([ACTIVE_CONTRACT], '2026-11-15')).get(`${ACTIVE_CONTRACT}:${STANDARD}`)?.units).toBe(17);
    // The simulator's own reading (its rule checks and the tests' expectations) agrees.
    const contractService = t.sim.state.contractServicesOf(ACTIVE_CONTRACT).find((cs) => cs.serviceID === STANDARD)!;
    expect(t.sim.state.unitsAt(contractService.id, '2026-11-01')).toBe(15);
    expect(t.sim.state.unitsAt(contractService.id, '2026-11-15')).toBe(17);
  });

  it('one adjustment on the first day of a period is that period\'s only row', async () => {
    expect((await adjust(4)).status).toBe(200);
    expect((await novemberRows()).map((r) => [r.startDate, r.endDate, r.units])).toEqual([['2026-11-01', '2026-11-30', 14]]);
  });

  it('periods without adjustments keep one row each', async () => {
    const rows = await t.client.queryAll('ContractServiceUnits', query([q.eq('contractID', ACTIVE_CONTRACT)]), contractServiceUnitSchema);
    expect(rows).toHaveLength(24);
    expect(new Set(rows.map((r) => r.id)).size).toBe(24);
  });
});

describe('contract status', () => {
  it('is readable through the Contracts query (1 active, 0 inactive)', async () => {
    const contracts = await t.client.contractsByIds([ACTIVE_CONTRACT, INACTIVE_CONTRACT]);
    expect(Object.fromEntries(contracts.map((c) => [c.id, c.status]))).toEqual({ [ACTIVE_CONTRACT]: 1, [INACTIVE_CONTRACT]: 0 });
    const fields = (await (await fetch(`${t.apiBase}/Contracts/entityInformation/fields`, { headers: t.headers })).json()) as { fields: Array<{ name: string; picklistValues?: Array<{ value: string; label: string }> }> };
    const status = fields.fields.find((f) => f.name === 'status')!;
    expect(Object.fromEntries(status.picklistValues!.map((v) => [v.value, v.label]))).toEqual({ '0': 'Inactive', '1': 'Active' });
  });

  it('an inactive contract refuses adjustments with a validation error', async () => {
    const { status, json } = await adjust(5, '2026-11-01', INACTIVE_CONTRACT);
    expect(status).toBe(500);
    expect(json).toEqual({ errors: [expect.stringMatching(/inactive/i)] });
    expect(t.sim.state.adjustments.filter((a) => a.at > 0)).toEqual([]);
  });

  it('follows a status change made while the simulator runs', async () => {
    const res = await fetch(`${t.apiBase.replace(/\/zone-\d+\/.*$/, '')}/_sim/contracts/${ACTIVE_CONTRACT}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 0 }) });
    expect(res.status).toBe(200);
    expect((await t.client.contractsByIds([ACTIVE_CONTRACT]))[0]?.status).toBe(0);
    expect((await adjust(1)).status).toBe(500);
  });
});

describe('an accepted adjustment that shows late, or never', () => {
  it('late by reads: the next N reads still show the old units', async () => {
    t.sim.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', fault: { kind: 'late', reads: 2 } });
    const { status, json } = await adjust(5);
    expect(status).toBe(200);
    expect(json).toEqual({ itemId: expect.any(Number) });
    expect(await t.client.unitsOf(ACTIVE_CONTRACT, STANDARD, '2026-11-01')).toBe(10);
    expect(await t.client.unitsOf(ACTIVE_CONTRACT, STANDARD, '2026-11-01')).toBe(10);
    expect(await t.client.unitsOf(ACTIVE_CONTRACT, STANDARD, '2026-11-01')).toBe(15);
  });

  it('late by time: the units change once the delay has passed', async () => {
    t.sim.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', fault: { kind: 'late', ms: 300 } });
    expect((await adjust(5)).status).toBe(200);
    expect(await t.client.unitsOf(ACTIVE_CONTRACT, STANDARD, '2026-11-01')).toBe(10);
    await new Promise((r) => setTimeout(r, 350));
    expect(await t.client.unitsOf(ACTIVE_CONTRACT, STANDARD, '2026-11-01')).toBe(15);
  });

  it('dropped: answered with an itemId, never applied', async () => {
    t.sim.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', fault: { kind: 'dropped' } });
    const { status, json } = await adjust(5);
    expect(status).toBe(200);
    const itemId = (json as { itemId: number }).itemId;
    for (let i = 0; i < 5; i++) expect(await t.client.unitsOf(ACTIVE_CONTRACT, STANDARD, '2026-11-01')).toBe(10);
    expect(t.sim.state.adjustments.find((a) => a.id === itemId)).toMatchObject({ unitChange: 5, applied: 'never' });
    // A normal adjustment afterwards applies, on top of what is really there.
    expect((await adjust(1)).status).toBe(200);
    expect(await t.client.unitsOf(ACTIVE_CONTRACT, STANDARD, '2026-11-01')).toBe(11);
  });

  it('garbled: the write is applied, the answer is not what Autotask normally sends', async () => {
    t.sim.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', fault: { kind: 'garbled', body: 'OK' } });
    const res = await fetch(`${t.apiBase}/ContractServiceAdjustments`, { method: 'POST', headers: t.headers, body: JSON.stringify({ contractID: ACTIVE_CONTRACT, serviceID: STANDARD, effectiveDate: '2026-11-01T00:00:00', unitChange: 2 }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('OK');
    expect(await t.client.unitsOf(ACTIVE_CONTRACT, STANDARD, '2026-11-01')).toBe(12);
  });
});

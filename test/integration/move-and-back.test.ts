/**
 * A company moved to a contract that starts mid-period and back again within the same period
 * (docs/design.md rule 8b, "moved and back"): A → B (from the 15th) → A. The move hands billing
 * over on the 15th (A 0 from then, B the count); moving back must hand it back: B 0 from its
 * start, A the count for the whole period again — not A's zero from the 15th left in place, which
 * bills the customer for half a month.
 *
 * Over the real run (Temporal, the worker, the API, both simulators); one stack, steps in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner, syncNow } from '../support/partner-setup.ts';
import type { DemoMapping } from '../../simulators/demo-data.ts';

const PERIOD = '2026-11-01';
const MID = '2026-11-15';
const LAST = '2026-11-30';
const B = 990_101;
const STANDARD = 301;

describe('moved to a contract starting mid-period, and back', () => {
  let stack: Stack;
  let x: DemoMapping;
  const state = () => stack.sims.autotask.state;
  const unitsOn = (contractId: number, date: string) => {
    const cs = state().findContractService(contractId, STANDARD);
    return cs ? state().unitsAt(cs.id, date) : 0;
  };
  /** The units of a contract on the period's first day, the day B starts, and its last day. */
  const profile = (contractId: number) => [PERIOD, MID, LAST].map((d) => unitsOn(contractId, d));
  const setUsers = (users: number) => {
    const month = stack.sims.passwordboss.partner(stack.partnerId)!.months.filter((m) => m.final).sort((a, b) => a.month.localeCompare(b.month)).at(-1)!;
    for (const row of month.counts.filter((c) => c.companyId === x.pbCompanyId)) Object.assign(row, { users: 0, licenses: 0 });
    const standard = month.counts.find((c) => c.companyId === x.pbCompanyId && c.productId === 'pb-standard');
    if (standard) Object.assign(standard, { users, licenses: users });
    else month.counts.push({ companyId: x.pbCompanyId, productId: 'pb-standard', users, licenses: users });
  };
  const mapTo = async (contractId: number) => {
    const res = await stack.app.inject({ method: 'PUT', url: `/v1/partners/${stack.partnerId}/company-mappings/${x.pbCompanyId}`, headers: bearer(stack.adminKey), payload: { autotaskCompanyId: x.autotaskCompanyId, autotaskContractId: contractId } });
    expect(res.statusCode, res.body).toBe(200);
  };
  const sync = async () => {
    const since = state().adjustments.length;
    const { run } = await syncNow(stack, stack.partnerId);
    expect(run.status, JSON.stringify(run.results.filter((r) => r.status !== 'ok'))).toBe('ok');
    return { run, posted: state().adjustments.slice(since).map((a) => [a.contractID, a.effectiveDate.slice(0, 10), a.unitChange]) };
  };

  beforeAll(async () => {
    stack = await startStack('pglite', { demo: { companies: 6 } });
    const notable = stack.sims.demo.notable;
    const skip = new Set([notable.msp, notable.switched, notable.endedContract, notable.otherTypeOnly, ...notable.inactive]);
    x = stack.sims.demo.mappings.find((m) => !skip.has(m.pbCompanyId))!;
    const fixture = structuredClone(stack.sims.demo.autotask);
    fixture.contracts.push({ id: B, companyID: x.autotaskCompanyId, contractName: 'B from the 15th', contractType: 7, status: 1, startDate: MID, endDate: '2027-12-31' });
    state().load(fixture);
    setUsers(10);
    await setUpPartner(stack, { companies: (id) => id === x.pbCompanyId });
  });
  afterAll(async () => stack?.close());

  it('bills A for the period', async () => {
    await sync();
    expect(profile(x.autotaskContractId)).toEqual([10, 10, 10]);
  });

  it('moves to B: A bills up to the 14th, B from the 15th', async () => {
    await mapTo(B);
    await sync();
    expect(profile(x.autotaskContractId)).toEqual([10, 0, 0]);
    expect(profile(B)).toEqual([0, 10, 10]);
  });

  it('moves back to A: B is zeroed from its start and A bills the whole period again', async () => {
    await mapTo(x.autotaskContractId);
    const { run, posted } = await sync();
    expect(profile(B)).toEqual([0, 0, 0]);
    expect(profile(x.autotaskContractId)).toEqual([10, 10, 10]);
    expect(posted).toEqual(expect.arrayContaining([[B, MID, -10], [x.autotaskContractId, MID, 10]]));
    expect(posted).toHaveLength(2);
    // A's result says it was restored from the 15th (read there: 0 → 10).
    const restored = run.results.find((r) => r.autotaskServiceId === STANDARD && r.unitsBefore === 0 && r.unitsAfter === 10);
    expect(restored?.detail ?? '').toContain(MID);
    // Settled: the next run writes nothing.
    expect((await sync()).posted).toEqual([]);
  });

  it('moved again and back with a changed count: one write per pair and run, settled by the next run', async () => {
    await mapTo(B);
    await sync();
    expect(profile(x.autotaskContractId)).toEqual([10, 0, 0]);
    setUsers(12);
    await mapTo(x.autotaskContractId);
    await sync();
    await sync();
    expect(profile(B)).toEqual([0, 0, 0]);
    expect(profile(x.autotaskContractId)).toEqual([12, 12, 12]);
    expect((await sync()).posted).toEqual([]);
  });
});

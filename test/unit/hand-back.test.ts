/**
 * Moved and back (docs/design.md rule 8b): a company moved from A to a contract starting on the
 * 15th and back to A within the period. The move zeroed A from the 15th; A must bill the count for
 * the whole period again, so the pair already right on the 1st is set from the 15th.
 */
import { describe, expect, it } from 'vitest';
import { planRun, unitReads, unitsKey, type RunPlanInput, type UnitRead } from '../../sync/run-plan.ts';

const PERIOD = '2026-11-01';
const MID = '2026-11-15';
const A = 71;

function plan(unitsOnFirst: number, unitsOnMid: number, users: number, handovers = [{ contractId: A, serviceId: 301, effectiveDate: MID }]) {
  const input: RunPlanInput = {
    periodStart: PERIOD,
    countBasis: 'users',
    products: [{ productId: 'std', productName: 'Standard', autotaskServiceId: 301, autotaskServiceName: 'Standard' }],
    companies: [{ pbCompanyId: 'c1', pbCompanyName: 'Acme', autotaskCompanyId: 10, contractId: A, contractName: null, excluded: false }],
    owned: [],
    pendingReleases: [],
    handovers,
    contracts: new Map([[A, { id: A, companyID: 10, contractName: 'A', contractType: 7, startDate: '2026-01-01', endDate: '2027-12-31' }]]),
  };
  const prep = unitReads(input);
  const onDate: Record<string, number> = { [PERIOD]: unitsOnFirst, [MID]: unitsOnMid };
  const units = new Map<string, Map<number, UnitRead>>();
  for (const [date, ids] of prep.reads) for (const id of ids) units.set(unitsKey(date, id), new Map([[301, { units: onDate[date]!, unitPrice: 3 }]]));
  const { plans } = planRun(input, prep, { counts: new Map([['c1', [{ productId: 'std', users, licenses: users }]]]), units, serviceNames: new Map() });
  return { action: plans[0]!.actions[0]!, reads: prep.reads };
}

describe('moved and back', () => {
  it('sets the pair from the handover date when it is right on the 1st but zeroed from the 15th', () => {
    const { action, reads } = plan(10, 0, 10);
    expect([...reads.keys()].sort()).toEqual([PERIOD, MID]);
    expect(action).toMatchObject({ from: 0, to: 10, reason: 'count', effectiveDate: MID });
  });

  it('writes the 1st first when the count changed meanwhile: one adjustment per pair and run', () => {
    expect(plan(10, 0, 12).action).toMatchObject({ from: 10, to: 12 });
    expect(plan(10, 0, 12).action.effectiveDate).toBeUndefined();
  });

  it('changes nothing once the whole period carries the count, or without a handover', () => {
    expect(plan(10, 10, 10).action).toMatchObject({ from: 10, to: 10 });
    expect(plan(10, 10, 10).action.effectiveDate).toBeUndefined();
    const none = plan(10, 0, 10, []);
    expect(none.action).toMatchObject({ from: 10, to: 10 });
    expect([...none.reads.keys()]).toEqual([PERIOD]);
  });
});

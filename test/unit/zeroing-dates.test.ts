/**
 * The date a move or release zeroes a pair from (docs/design.md rules 7 and 8b): the owner's own
 * date (the period's first day when it is no longer mapped), but never before the zeroed
 * contract's start inside the period, which Autotask would refuse. Found by the property test:
 * a release on a contract starting the 15th was posted from the 1st and refused.
 */
import { describe, expect, it } from 'vitest';
import type { OwnedPair } from '../../sync/ownership.ts';
import { planRun, unitReads, unitsKey, type RunCompany, type RunPlanInput, type UnitRead } from '../../sync/run-plan.ts';

const PERIOD = '2026-11-01';
const contract = (id: number, startDate: string) => ({ id, companyID: 10, contractName: `Contract ${id}`, contractType: 7, startDate, endDate: '2027-12-31' });
const EARLY = 71; // starts before the period
const MID = 72; // starts on the 15th of the billed period
const owned = (contractId: number): OwnedPair => ({ contractId, serviceId: 301, units: 4, effectiveDate: contractId === MID ? '2026-11-15' : PERIOD, runId: 'r1', pbCompanyId: 'c1', productIds: ['std'] });
const company = (contractId: number | null, excluded = false): RunCompany => ({ pbCompanyId: 'c1', pbCompanyName: 'Acme', autotaskCompanyId: 10, contractId, contractName: null, excluded });

function plan(companies: RunCompany[], pairs: OwnedPair[], releases = pairs) {
  const input: RunPlanInput = {
    periodStart: PERIOD,
    countBasis: 'users',
    products: [{ productId: 'std', productName: 'Standard', autotaskServiceId: 301, autotaskServiceName: 'Standard' }],
    companies,
    owned: pairs,
    pendingReleases: releases,
    contracts: new Map([[EARLY, contract(EARLY, '2026-01-01')], [MID, contract(MID, '2026-11-15')]]),
  };
  const prep = unitReads(input);
  // Autotask answers what was asked for: 4 units on the owned pair at each date read.
  const units = new Map<string, Map<number, UnitRead>>();
  for (const [date, ids] of prep.reads) for (const id of ids) units.set(unitsKey(date, id), new Map(pairs.filter((p) => p.contractId === id).map(() => [301, { units: 4, unitPrice: 3 }])));
  const { plans } = planRun(input, prep, { counts: new Map([['c1', [{ productId: 'std', users: 6, licenses: 6 }]]]), units, serviceNames: new Map() });
  return { plans, reads: prep.reads };
}

describe('zeroing dates', () => {
  it('releases a pair on a contract starting mid-period from that start, not the period\'s first day', () => {
    const { plans, reads } = plan([company(null)], [owned(MID)]);
    expect(plans[0]!.effectiveDate).toBe(PERIOD);
    expect(plans[0]!.actions).toEqual([expect.objectContaining({ contractId: MID, from: 4, to: 0, reason: 'released', effectiveDate: '2026-11-15' })]);
    expect([...reads.get('2026-11-15') ?? []]).toEqual([MID]);
  });

  it('moves from a mid-period contract to one in force on the 1st: the old pair zeroes from its own start', () => {
    const { plans } = plan([company(EARLY)], [owned(MID)], []);
    const zero = plans[0]!.actions.find((a) => a.contractId === MID)!;
    expect(zero).toMatchObject({ from: 4, to: 0, reason: 'moved_contract', effectiveDate: '2026-11-15' });
  });

  it('moves to a contract starting mid-period: hands over on that day, the company\'s own date', () => {
    const { plans } = plan([company(MID)], [owned(EARLY)], []);
    expect(plans[0]!.effectiveDate).toBe('2026-11-15');
    const zero = plans[0]!.actions.find((a) => a.contractId === EARLY)!;
    expect(zero).toMatchObject({ from: 4, to: 0, reason: 'moved_contract' });
    expect(zero.effectiveDate).toBeUndefined(); // the plan's own date
  });
});

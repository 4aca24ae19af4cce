/**
 * A move of billing to another contract needs that contract to bill the company this period
 * (rule 8b); otherwise the pair on the old contract is held, not zeroed: never billed nowhere.
 */
import { describe, expect, it } from 'vitest';
import { planRun, unitReads, unitsKey, type RunPlanInput, type UnitRead } from '../../sync/run-plan.ts';

const PERIOD = '2026-11-01';
const OLD = 50, NEW = 60;

function run(newContract: { companyID: number; startDate: string; status?: number }, autotaskCompanyId: number | null = 10) {
  const input: RunPlanInput = {
    periodStart: PERIOD,
    countBasis: 'users',
    products: [{ productId: 'std', productName: 'Standard', autotaskServiceId: 301, autotaskServiceName: 'Standard' }],
    companies: [{ pbCompanyId: 'c1', pbCompanyName: 'Acme', autotaskCompanyId, contractId: NEW, contractName: null, excluded: false }],
    owned: [{ contractId: OLD, serviceId: 301, units: 10, effectiveDate: '2026-10-01', runId: 'r0', pbCompanyId: 'c1', productIds: ['std'] }],
    pendingReleases: [],
    contracts: new Map([
      [OLD, { id: OLD, companyID: 10, contractName: 'Old', contractType: 7, startDate: '2026-01-01', endDate: '2027-12-31' }],
      [NEW, { id: NEW, contractName: 'New', contractType: 7, endDate: '2028-12-31', ...newContract }],
    ]) as RunPlanInput['contracts'],
  };
  const prep = unitReads(input);
  const units = new Map<string, Map<number, UnitRead>>();
  for (const [date, ids] of prep.reads) for (const id of ids) units.set(unitsKey(date, id), new Map([[301, { units: id === OLD ? 10 : 0, unitPrice: 3 }]]));
  const { plans } = planRun(input, prep, { counts: new Map([['c1', [{ productId: 'std', users: 10, licenses: 10 }]]]), units, serviceNames: new Map() });
  const p = plans[0]!;
  return { decision: prep.decisions[0]!, zeroOld: p.actions.filter((a) => a.contractId === OLD && a.to === 0), billNew: p.actions.filter((a) => a.contractId === undefined && a.to > 0), problems: p.problems.map((x) => x.code), details: p.problems.map((x) => x.detail).join(' | ') + JSON.stringify(p.leftBehind ?? []) };
}

describe('a move of billing to a contract that does not bill the company this period', () => {
  it('control: a live new contract moves (old zeroed, new billed)', () => {
    const r = run({ companyID: 10, startDate: '2026-01-01' });
    expect(r.zeroOld.length).toBe(1);
    expect(r.billNew.length).toBe(1);
  });
  it('new contract belongs to another Autotask company: old must not be zeroed', () => {
    const r = run({ companyID: 99, startDate: '2026-01-01' });
    expect(r.problems).toContain('contract_wrong_company');
    expect(r.billNew.length).toBe(0);
    expect(r.zeroOld).toEqual([]);
  });
  it('new contract starts after the period (next year mapped early): old must not be zeroed', () => {
    const r = run({ companyID: 10, startDate: '2027-01-01' });
    expect(r.problems).toContain('contract_not_started');
    expect(r.billNew.length).toBe(0);
    expect(r.zeroOld).toEqual([]);
  });
  it('new contract inactive: old held, not zeroed', () => {
    const r = run({ companyID: 10, startDate: '2026-01-01', status: 0 });
    expect(r.decision).toMatchObject({ kind: 'hold', reason: 'contract_not_live' });
    expect(r.problems).toContain('contract_inactive');
    expect(r.zeroOld).toEqual([]);
  });
  it('new contract starting inside the period: a move on its start date', () => {
    const r = run({ companyID: 10, startDate: '2026-11-15' });
    expect(r.decision).toMatchObject({ kind: 'move' });
    expect(r.zeroOld.length).toBe(1);
  });
});

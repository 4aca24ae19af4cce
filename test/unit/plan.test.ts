import { describe, expect, it } from 'vitest';
import { planCompany, plannedStatus, type CompanyPlanInput, type PartnerPlanInput } from '../../sync/plan.ts';
import { MAX_UNITS } from '../../sync/unit-limits.ts';

const partner: PartnerPlanInput = {
  effectiveDate: '2026-11-01',
  countBasis: 'users',
  productServices: [
    { productId: 'std', productName: 'Standard', serviceId: 301, serviceName: 'PB Standard' },
    { productId: 'adv', productName: 'Advanced', serviceId: 302, serviceName: 'PB Advanced' },
  ],
  productNames: new Map([['std', 'Password Boss Standard'], ['adv', 'Password Boss Advanced'], ['ent', 'Password Boss Enterprise']]),
};

const contract = { id: 50, companyID: 10, contractName: 'Acme Recurring', contractType: 7, startDate: '2025-01-01', endDate: '2027-12-31' };
const company = (over: Partial<CompanyPlanInput> = {}): CompanyPlanInput => ({
  pbCompanyId: 'c1',
  pbCompanyName: 'Acme',
  autotaskCompanyId: 10,
  autotaskContractId: 50,
  counts: [{ productId: 'std', users: 12, licenses: 15 }],
  contract,
  currentUnits: new Map([[301, 10]]),
  ...over,
});

describe('plan: units', () => {
  it('sets the mapped service to the month-end count', () => {
    const plan = planCompany(partner, company());
    expect(plan.actions).toEqual([{ serviceId: 301, serviceName: 'PB Standard', productIds: ['std'], from: 10, to: 12, reason: 'count' }]);
    expect(plan.problems).toEqual([]);
    expect(plannedStatus(plan)).toBe('ok');
  });

  it('has nothing to change when Autotask already agrees', () => {
    const plan = planCompany(partner, company({ currentUnits: new Map([[301, 12]]) }));
    expect(plan.actions).toEqual([expect.objectContaining({ serviceId: 301, from: 12, to: 12 })]);
  });

  it('uses licenses when the partner bills by licenses', () => {
    const plan = planCompany({ ...partner, countBasis: 'licenses' }, company());
    expect(plan.actions[0]).toMatchObject({ from: 10, to: 15 });
  });

  it('adds a service the contract does not have yet (from 0)', () => {
    const plan = planCompany(partner, company({ currentUnits: new Map() }));
    expect(plan.actions[0]).toMatchObject({ serviceId: 301, from: 0, to: 12 });
  });

  it('sets the old service to 0 after a Standard → Advanced switch', () => {
    const plan = planCompany(partner, company({ counts: [{ productId: 'adv', users: 12, licenses: 12 }], currentUnits: new Map([[301, 11]]) }));
    expect(plan.actions).toEqual([
      { serviceId: 301, serviceName: 'PB Standard', productIds: ['std'], from: 11, to: 0, reason: 'product_removed' },
      { serviceId: 302, serviceName: 'PB Advanced', productIds: ['adv'], from: 0, to: 12, reason: 'count' },
    ]);
  });

  it('sets everything to 0 for a company that lost all its users', () => {
    const plan = planCompany(partner, company({ counts: [], currentUnits: new Map([[301, 4], [302, 2]]) }));
    expect(plan.actions.map((a) => [a.serviceId, a.from, a.to])).toEqual([[301, 4, 0], [302, 2, 0]]);
  });

  it('skips services that are at 0 and stay at 0', () => {
    const plan = planCompany(partner, company({ counts: [{ productId: 'std', users: 0, licenses: 0 }], currentUnits: new Map([[302, 0]]) }));
    expect(plan.actions).toEqual([]);
    expect(plannedStatus(plan)).toBe('ok');
  });

  it('adds up products that share one service', () => {
    const shared = { ...partner, productServices: partner.productServices.map((p) => ({ ...p, serviceId: 301, serviceName: 'PB' })) };
    const plan = planCompany(shared, company({ counts: [{ productId: 'std', users: 5, licenses: 5 }, { productId: 'adv', users: 7, licenses: 7 }] }));
    expect(plan.actions).toEqual([{ serviceId: 301, serviceName: 'PB', productIds: ['std', 'adv'], from: 10, to: 12, reason: 'count' }]);
  });

  it('leaves services of other products alone', () => {
    const plan = planCompany(partner, company({ currentUnits: new Map([[301, 12], [999, 40]]) }));
    expect(plan.actions.map((a) => a.serviceId)).toEqual([301]);
  });

  it('warns about users of a product that is not mapped, and still syncs the rest', () => {
    const plan = planCompany(partner, company({ counts: [{ productId: 'std', users: 12, licenses: 12 }, { productId: 'ent', users: 3, licenses: 3 }] }));
    expect(plan.actions).toHaveLength(1);
    expect(plan.problems).toEqual([{ severity: 'warning', code: 'product_not_mapped', detail: 'Password Boss Enterprise has 3 users but is not mapped to an Autotask service — map it under Product mappings' }]);
    expect(plannedStatus(plan)).toBe('warning');
  });

  it('does not warn about an unmapped product with no users', () => {
    expect(planCompany(partner, company({ counts: [{ productId: 'ent', users: 0, licenses: 0 }] })).problems).toEqual([]);
  });

  it('labels a count of 0 for a product still mapped as a count, not a removed product (defect 10)', () => {
    const plan = planCompany(partner, company({ counts: [{ productId: 'std', users: 0, licenses: 0 }], currentUnits: new Map([[301, 4]]) }));
    expect(plan.actions).toEqual([{ serviceId: 301, serviceName: 'PB Standard', productIds: ['std'], from: 4, to: 0, reason: 'count' }]);
  });

  it('does not warn about a product the MSP chose not to bill (defect 11), but still about one not configured', () => {
    const counts = [{ productId: 'std', users: 12, licenses: 12 }, { productId: 'ent', users: 3, licenses: 3 }];
    expect(planCompany({ ...partner, notBilledProductIds: new Set(['ent']) }, company({ counts })).problems).toEqual([]);
    expect(planCompany({ ...partner, notBilledProductIds: new Set(['adv']) }, company({ counts })).problems.map((p) => p.code)).toEqual(['product_not_mapped']);
  });

  it('has nothing to do, and no error, when every product is deliberately not billed', () => {
    const plan = planCompany({ ...partner, productServices: [], notBilledProductIds: new Set(['std', 'adv']) }, company());
    expect(plan).toMatchObject({ actions: [], problems: [] });
  });

  it('refuses a target past MAX_UNITS as a wrong count, for that service only (it used to be recorded as would_set, or fail the run)', () => {
    // 3,000,000,000 users overflowed the int columns of sync_results: the company's result
    // could never be recorded and the run stayed "running", holding the partner's only run.
    const counts = [{ productId: 'std', users: 3_000_000_000, licenses: 1 }, { productId: 'adv', users: 4, licenses: 4 }];
    const plan = planCompany(partner, company({ counts }));
    expect(plan.actions).toEqual([{ serviceId: 302, serviceName: 'PB Advanced', productIds: ['adv'], from: 0, to: 4, reason: 'count' }]);
    expect(plan.problems).toEqual([{ severity: 'error', code: 'count_out_of_range', detail: expect.stringContaining('PB Standard: Password Boss counts 3,000,000,000 users') }]);
    expect(plannedStatus(plan)).toBe('error');
    // Products sharing a service add up past the bound too; MAX_UNITS itself is still billed.
    const shared = { ...partner, productServices: partner.productServices.map((p) => ({ ...p, serviceId: 301, serviceName: 'PB' })) };
    expect(planCompany(shared, company({ counts: [{ productId: 'std', users: MAX_UNITS, licenses: 0 }, { productId: 'adv', users: 1, licenses: 0 }] })).problems.map((p) => p.code)).toEqual(['count_out_of_range']);
    expect(planCompany(partner, company({ counts: [{ productId: 'std', users: MAX_UNITS, licenses: 0 }] })).actions[0]!.to).toBe(MAX_UNITS);
  });

  it('refuses to plan without any product mapping', () => {
    const plan = planCompany({ ...partner, productServices: [] }, company());
    expect(plan.problems[0]!.code).toBe('no_product_mappings');
    expect(plan.actions).toEqual([]);
  });
});

describe('plan: the contract', () => {
  const problem = (over: Partial<CompanyPlanInput>) => {
    const plan = planCompany(partner, company(over));
    expect(plan.actions).toEqual([]);
    expect(plannedStatus(plan)).toBe('error');
    return plan.problems[0]!;
  };

  it('must still exist', () => {
    expect(problem({ contract: undefined })).toMatchObject({ code: 'contract_not_found', detail: expect.stringContaining('#50 no longer exists') });
  });

  it('must belong to the mapped company', () => {
    expect(problem({ contract: { ...contract, companyID: 11 } }).code).toBe('contract_wrong_company');
  });

  it('must be a Recurring Service contract', () => {
    expect(problem({ contract: { ...contract, contractType: 4 } })).toMatchObject({ code: 'contract_not_recurring', detail: "Contract 'Acme Recurring' is not a Recurring Service contract — pick the company's Recurring Service contract" });
  });

  it('must be active: Autotask takes no units on an inactive contract', () => {
    expect(problem({ contract: { ...contract, status: 0 } })).toMatchObject({ code: 'contract_inactive', detail: "Contract 'Acme Recurring' is inactive in Autotask, which takes no units on it — activate it in Autotask or pick an active contract" });
    expect(planCompany(partner, company({ contract: { ...contract, status: 1 } })).problems).toEqual([]);
  });

  it('must not have ended before the effective date', () => {
    expect(problem({ contract: { ...contract, endDate: '2026-09-30', renewedContractID: 77 } })).toMatchObject({
      code: 'contract_ended',
      detail: "Contract 'Acme Recurring' ended on 2026-09-30 — pick the renewed contract (#77)",
    });
    // Old contracts are often made inactive too: the way out is still the renewal, not activating it.
    expect(problem({ contract: { ...contract, status: 0, endDate: '2026-09-30', renewedContractID: 77 } })).toMatchObject({ code: 'contract_ended', detail: expect.stringContaining('(#77)') });
  });

  it('may end on the effective date itself', () => {
    expect(planCompany(partner, company({ contract: { ...contract, endDate: '2026-11-01' } })).problems).toEqual([]);
  });

  it('is billed from its start date when it starts inside the billed period (defect 5)', () => {
    const plan = planCompany(partner, company({ contract: { ...contract, startDate: '2026-11-15' } }));
    expect(plan.problems).toEqual([]);
    expect(plan.effectiveDate).toBe('2026-11-15');
    expect(plan.actions.filter((a) => a.from !== a.to)).toEqual([expect.objectContaining({ serviceId: 301, to: 12 })]);
  });

  it('is billed from the first of the period when it started earlier or on that day', () => {
    expect(planCompany(partner, company()).effectiveDate).toBe('2026-11-01');
    expect(planCompany(partner, company({ contract: { ...contract, startDate: '2026-11-01' } })).effectiveDate).toBe('2026-11-01');
  });

  it('waits, with a warning and no write, for a contract that starts after the billed period', () => {
    const plan = planCompany(partner, company({ contract: { ...contract, startDate: '2026-12-01' } }));
    expect(plan.actions).toEqual([]);
    expect(plan.problems).toEqual([{ severity: 'warning', code: 'contract_not_started', detail: expect.stringContaining("Contract 'Acme Recurring' starts on 2026-12-01, after the period this run bills (2026-11-01 to 2026-11-30)") }]);
    expect(plannedStatus(plan)).toBe('warning');
  });

  it('tolerates open-ended dates', () => {
    expect(planCompany(partner, company({ contract: { ...contract, startDate: null, endDate: null } })).problems).toEqual([]);
  });
});

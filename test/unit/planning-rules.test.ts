import { describe, expect, it } from 'vitest';
import { appliedResult } from '../../sync/company-outcome.ts';
import { companyEffectiveDate } from '../../sync/effective-date.ts';
import type { UnitAction } from '../../sync/plan.ts';
import { sharedContractProblems } from '../../sync/shared-contracts.ts';

describe('shared contracts (defect 1)', () => {
  it('gives every company mapped to one contract an error naming the others', () => {
    const problems = sharedContractProblems([
      { pbCompanyId: 'c1', pbCompanyName: 'Acme', contractId: 50, contractName: 'Acme Recurring' },
      { pbCompanyId: 'c2', pbCompanyName: 'Acme Labs', contractId: 50, contractName: 'Acme Recurring' },
      { pbCompanyId: 'c3', pbCompanyName: 'Globex', contractId: 51 },
      { pbCompanyId: 'c4', pbCompanyName: 'Initech', contractId: null },
    ]);
    expect([...problems.keys()].sort()).toEqual(['c1', 'c2']);
    expect(problems.get('c1')).toEqual({ severity: 'error', code: 'contract_shared', detail: expect.stringContaining("Contract 'Acme Recurring' (#50) is also mapped to 'Acme Labs' (c2)") });
    expect(problems.get('c2')!.detail).toContain("'Acme' (c1)");
  });

  it('does not count an excluded company as holding its contract', () => {
    expect(sharedContractProblems([
      { pbCompanyId: 'c1', pbCompanyName: 'Acme', contractId: 50 },
      { pbCompanyId: 'c2', pbCompanyName: 'Acme Labs', contractId: 50, excluded: true },
    ]).size).toBe(0);
  });
});

describe('effective date per company', () => {
  const contract = (startDate: string | null) => ({ contractName: 'Acme Recurring', startDate });
  it('is the later of the period start and the contract start', () => {
    expect(companyEffectiveDate('2026-11-01', contract(null))).toEqual({ effectiveDate: '2026-11-01' });
    expect(companyEffectiveDate('2026-11-01', contract('2024-03-15'))).toEqual({ effectiveDate: '2026-11-01' });
    expect(companyEffectiveDate('2026-11-01', contract('2026-11-15'))).toEqual({ effectiveDate: '2026-11-15' });
    expect(companyEffectiveDate('2026-11-01', contract('2026-11-30'))).toEqual({ effectiveDate: '2026-11-30' });
    expect(companyEffectiveDate('2024-02-01', contract('2024-02-29'))).toEqual({ effectiveDate: '2024-02-29' });
  });

  it('waits with a warning for a contract starting after the billed period', () => {
    expect(companyEffectiveDate('2026-11-01', contract('2026-12-01')).problem).toMatchObject({ severity: 'warning', code: 'contract_not_started' });
  });
});

describe('result labels say what happened', () => {
  const action = (reason: UnitAction['reason'], contractId?: number): UnitAction => ({ serviceId: 301, serviceName: 'PB Standard', productIds: ['std'], from: 4, to: 0, reason, ...(contractId ? { contractId } : {}) });
  const label = (a: UnitAction) => appliedResult(a, { before: 4, after: 0, adjustmentId: 9, appliedEarlier: false }).detail;
  it('has no note for a count, even a count of 0 (defect 10)', () => {
    expect(label(action('count'))).toBe('PB Standard: 4 → 0');
  });
  it('says where billing went for moves and releases', () => {
    expect(label(action('moved_contract', 50))).toBe('PB Standard: 4 → 0 (billing moved to another contract; contract #50 no longer bills this company)');
    expect(label(action('moved_service'))).toBe('PB Standard: 4 → 0 (the product is now billed through another service)');
    expect(label(action('released'))).toBe('PB Standard: 4 → 0 (released when the company stopped being billed here)');
    expect(label(action('product_removed'))).toBe('PB Standard: 4 → 0 (product no longer used)');
  });
});

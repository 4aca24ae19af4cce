import { describe, expect, it } from 'vitest';
import { maySync } from '../../sync/may-sync.ts';
import { brokenContractRule, contractEligibility } from '../../sync/contract-rules.ts';
import { RECURRING_SERVICE_CONTRACT } from '../../sync/vocabulary.ts';

describe('may a run send changes to Autotask', () => {
  it('only with saved settings and the integration enabled', () => {
    expect(maySync({ configured: true, enabled: true }, false)).toEqual({ may: true });
    expect(maySync({ configured: false, enabled: false }, false)).toMatchObject({ may: false, reason: 'not_configured' });
    expect(maySync({ configured: true, enabled: false }, false)).toMatchObject({ may: false, reason: 'disabled', detail: 'The Autotask integration is disabled; nothing was sent to Autotask' });
  });

  it('always for a dry run, which sends nothing', () => {
    expect(maySync({ configured: false, enabled: false }, true)).toEqual({ may: true });
    expect(maySync({ configured: true, enabled: false }, true)).toEqual({ may: true });
  });
});

describe('which contract may bill a company', () => {
  const contract = { companyID: 10, contractName: 'Acme Recurring', contractType: RECURRING_SERVICE_CONTRACT, startDate: '2026-01-01', endDate: '2026-12-31' };

  it('names the first rule broken, in order', () => {
    expect(brokenContractRule(contract, 10, '2026-06-01')).toBeNull();
    expect(brokenContractRule(undefined, 10, '2026-06-01')).toBe('contract_not_found');
    expect(brokenContractRule({ ...contract, contractType: 1 }, 11, '2026-06-01')).toBe('contract_wrong_company');
    expect(brokenContractRule({ ...contract, contractType: 1 }, 10, '2026-06-01')).toBe('contract_not_recurring');
    expect(brokenContractRule({ ...contract, status: 0 }, 10, '2026-06-01')).toBe('contract_inactive');
    expect(brokenContractRule({ ...contract, status: 1 }, 10, '2026-06-01')).toBeNull();
    expect(brokenContractRule(contract, 10, '2027-01-01')).toBe('contract_ended');
    expect(brokenContractRule(contract, 10, '2025-12-01')).toBe('contract_not_started');
  });

  it('lets a mapping choose a contract that starts later, and says what to pick otherwise', () => {
    expect(contractEligibility(contract, 10, '2025-12-01')).toBeNull();
    expect(contractEligibility(contract, 10, '2027-01-01')).toEqual({ code: 'contract_ended', message: "Contract 'Acme Recurring' ended on 2026-12-31; pick the renewed contract" });
    expect(contractEligibility({ ...contract, contractType: 4 }, 10, '2026-06-01')?.code).toBe('contract_not_recurring');
    // Autotask refuses adjustments to an inactive contract: not offered, not saved.
    expect(contractEligibility({ ...contract, status: 0 }, 10, '2026-06-01')).toEqual({ code: 'contract_inactive', message: "Contract 'Acme Recurring' is inactive in Autotask and takes no units; activate it in Autotask or pick an active contract" });
  });
});

import { describe, expect, it } from 'vitest';
import { amountChangeOf, amountTotals, appliedResult, companyOutcome, failedResult, resultWithoutWrite } from '../../sync/company-outcome.ts';
import type { CompanyPlan, UnitAction } from '../../sync/records.ts';

const std: UnitAction = { serviceId: 301, serviceName: 'PB Standard', productIds: ['std'], from: 10, to: 12, reason: 'count' };
const adv: UnitAction = { serviceId: 302, serviceName: 'PB Advanced', productIds: ['adv', 'adv-legacy'], from: 4, to: 0, reason: 'product_removed' };
const plan = (over: Partial<CompanyPlan> = {}): CompanyPlan => ({ pbCompanyId: 'c1', pbCompanyName: 'Acme', contractId: 50, contractName: 'Acme Recurring', actions: [std], problems: [], ...over });

describe('company outcome: one action', () => {
  it('needs a write when the units differ and it is not a dry run', () => {
    expect(resultWithoutWrite(std, false)).toBeUndefined();
  });

  it('needs none when Autotask already agrees, dry run or not', () => {
    for (const dryRun of [false, true]) {
      expect(resultWithoutWrite({ ...std, from: 12 }, dryRun)).toEqual({ productId: 'std', serviceId: 301, action: 'unchanged', status: 'ok', unitsBefore: 12, unitsAfter: 12, adjustmentId: null, errorType: null, detail: 'PB Standard: 12 units, already correct', reason: 'count', contractId: null, unitPrice: null, amountChange: null });
    }
  });

  it('says what a dry run would set', () => {
    expect(resultWithoutWrite(std, true)).toMatchObject({ action: 'would_set', unitsBefore: 10, unitsAfter: 12, detail: 'PB Standard: would set 10 → 12' });
  });

  it('names every product that shares a service', () => {
    expect(resultWithoutWrite({ ...adv, from: 0 }, false)?.productId).toBe('adv+adv-legacy');
  });

  it('records a write with its adjustment id', () => {
    expect(appliedResult(std, { before: 10, after: 12, adjustmentId: 77, appliedEarlier: false })).toEqual({ productId: 'std', serviceId: 301, action: 'set', status: 'ok', unitsBefore: 10, unitsAfter: 12, adjustmentId: 77, errorType: null, detail: 'PB Standard: 10 → 12', reason: 'count', contractId: null, unitPrice: null, amountChange: null });
  });

  it('marks a service set to 0 because its product is no longer used', () => {
    expect(appliedResult(adv, { before: 4, after: 0, adjustmentId: 78, appliedEarlier: false }).detail).toBe('PB Advanced: 4 → 0 (product no longer used)');
  });

  it('counts a write whose answer was lost as the run\'s own, and says so', () => {
    const r = appliedResult(std, { before: 10, after: 12, adjustmentId: null, appliedEarlier: true });
    expect(r).toMatchObject({ action: 'set', adjustmentId: null, detail: expect.stringContaining('confirmed after a retry') });
  });

  it('calls a write that found the target in place (someone else set it) unchanged', () => {
    expect(appliedResult(std, { before: 12, after: 12, adjustmentId: null, appliedEarlier: false })).toMatchObject({ action: 'unchanged', unitsBefore: 12, unitsAfter: 12 });
  });

  it('keeps a refusal with its type and what to do', () => {
    expect(failedResult(std, 'AutotaskValidation', 'The period is approved and posted — unpost it')).toEqual({ productId: 'std', serviceId: 301, action: 'set', status: 'error', unitsBefore: 10, unitsAfter: null, adjustmentId: null, errorType: 'AutotaskValidation', detail: 'The period is approved and posted — unpost it', reason: 'count', contractId: null, unitPrice: null, amountChange: null });
  });
});

describe('company outcome: money', () => {
  const priced: UnitAction = { ...std, unitPrice: 3.25 };

  it('prices a dry run from the batched read, and an applied write from its confirming read', () => {
    expect(resultWithoutWrite(priced, true)).toMatchObject({ unitPrice: 3.25, amountChange: 6.5 });
    expect(appliedResult(priced, { before: 10, after: 12, adjustmentId: 77, appliedEarlier: false, unitPrice: 3.5 })).toMatchObject({ unitPrice: 3.5, amountChange: 7 });
    expect(appliedResult(priced, { before: 10, after: 12, adjustmentId: 77, appliedEarlier: false, unitPrice: null })).toMatchObject({ unitPrice: 3.25, amountChange: 6.5 });
  });

  it('says null, not 0, when the price is unknown, and nothing for a refused write', () => {
    expect(resultWithoutWrite({ ...std, unitPrice: null }, true)).toMatchObject({ unitPrice: null, amountChange: null });
    expect(failedResult(priced, 'AutotaskValidation', 'no')).toMatchObject({ unitPrice: 3.25, amountChange: null });
  });

  it('rounds away float tails and never says -0', () => {
    expect(amountChangeOf(0, 3, 0.1)).toBe(0.3);
    expect(Object.is(amountChangeOf(5, 5, -2), 0)).toBe(true);
    expect(amountChangeOf(10, 0, 3.25)).toBe(-32.5);
  });

  it('totals a run from its changes and counts the ones without a price', () => {
    const rows = [
      { action: 'set', status: 'ok', amountChange: 6.5 },
      { action: 'would_set', status: 'ok', amountChange: -3.25 },
      { action: 'set', status: 'ok', amountChange: null },
      { action: 'set', status: 'error', amountChange: null },
      { action: 'unchanged', status: 'ok', amountChange: 0 },
    ] as const;
    expect(amountTotals(rows.map((r) => ({ ...r })))).toEqual({ amountChange: 3.25, unpricedChanges: 1 });
  });
});

describe('company outcome: the company', () => {
  it('is ok and sums the units changed over the writes', () => {
    const results = [appliedResult(std, { before: 10, after: 12, adjustmentId: 1, appliedEarlier: false }), appliedResult(adv, { before: 4, after: 0, adjustmentId: 2, appliedEarlier: false })];
    const o = companyOutcome(plan({ actions: [std, adv] }), results, false);
    expect(o).toMatchObject({ status: 'ok', unitsChanged: 6, adjustments: 2, detail: 'PB Standard: 10 → 12; PB Advanced: 4 → 0 (product no longer used)' });
    expect(o.results).toEqual(results);
  });

  it('says "up to date" when nothing changed, and counts nothing', () => {
    const o = companyOutcome(plan({ actions: [{ ...std, from: 12 }] }), [resultWithoutWrite({ ...std, from: 12 }, false)!], false);
    expect(o).toMatchObject({ status: 'ok', unitsChanged: 0, adjustments: 0, detail: 'Up to date: PB Standard: 12 units, already correct' });
  });

  it('prefixes a dry run and counts no adjustments', () => {
    const o = companyOutcome(plan(), [resultWithoutWrite(std, true)!], true);
    expect(o).toMatchObject({ status: 'ok', adjustments: 0, unitsChanged: 0, detail: 'Dry run — PB Standard: would set 10 → 12' });
  });

  it('tells how to stop a product-level left-behind pair without advising to unmap the company', () => {
    // Unmapping with release=zero would zero every pair the company owns, the still-billed ones too.
    for (const cause of ['not_billed', 'not_configured'] as const) {
      const left = { contractId: 50, serviceId: 301, serviceName: 'PB Standard', productIds: ['std'], units: 80, cause };
      const o = companyOutcome(plan({ actions: [{ ...adv, from: 4, to: 4, reason: 'count' }], leftBehind: [left] }), [resultWithoutWrite({ ...adv, from: 4, to: 4, reason: 'count' }, false)!], false);
      const row = o.results.find((r) => r.action === 'left_behind')!;
      expect(row).toMatchObject({ serviceId: 301, unitsBefore: 80, unitsAfter: 80, status: 'ok' });
      expect(row.detail).toContain('set it to 0 in Autotask');
      expect(row.detail).not.toMatch(/unmap|release/i);
    }
  });

  it('records one "none" row for a company with no users and nothing billed', () => {
    const o = companyOutcome(plan({ actions: [] }), [], false);
    expect(o.detail).toBe('No users to bill and nothing billed');
    expect(o.results).toEqual([{ productId: '', serviceId: null, action: 'none', status: 'ok', unitsBefore: null, unitsAfter: null, adjustmentId: null, errorType: null, detail: 'No users to bill and nothing billed' }]);
  });

  it('is an error with the contract problem as its detail and one "problem" row', () => {
    const detail = "Contract 'Acme' is not a Recurring Service contract — pick the company's Recurring Service contract";
    const o = companyOutcome(plan({ actions: [], problems: [{ severity: 'error', code: 'contract_not_recurring', detail }] }), [], false);
    expect(o).toMatchObject({ status: 'error', detail, adjustments: 0 });
    expect(o.results).toEqual([{ productId: '', serviceId: null, action: 'problem', status: 'error', unitsBefore: null, unitsAfter: null, adjustmentId: null, errorType: 'contract_not_recurring', detail }]);
  });

  it('is a warning, after its writes, when a product with users is not mapped', () => {
    const warning = 'Password Boss Enterprise has 3 users but is not mapped to an Autotask service — map it under Product mappings';
    const o = companyOutcome(plan({ problems: [{ severity: 'warning', code: 'product_not_mapped', detail: warning }] }), [appliedResult(std, { before: 10, after: 12, adjustmentId: 1, appliedEarlier: false })], false);
    expect(o).toMatchObject({ status: 'warning', detail: warning, adjustments: 1, unitsChanged: 2 });
    expect(o.results).toHaveLength(1);
  });

  it('is an error when one write was refused, keeps the other write, and adds no "problem" row', () => {
    const refused = failedResult(adv, 'AutotaskValidation', 'Autotask refused: the period is posted');
    const o = companyOutcome(plan({ actions: [std, adv] }), [appliedResult(std, { before: 10, after: 12, adjustmentId: 1, appliedEarlier: false }), refused], false);
    expect(o).toMatchObject({ status: 'error', detail: 'Autotask refused: the period is posted', adjustments: 1, unitsChanged: 2 });
    expect(o.results.map((r) => r.action)).toEqual(['set', 'set']);
  });

  it('puts a contract error before a write error, and an error before a warning', () => {
    const o = companyOutcome(
      plan({ problems: [{ severity: 'warning', code: 'product_not_mapped', detail: 'w' }, { severity: 'error', code: 'contract_ended', detail: 'contract ended' }] }),
      [failedResult(std, 'AutotaskUnavailable', 'write failed')],
      false
    );
    expect(o).toMatchObject({ status: 'error', detail: 'contract ended' });
  });
});

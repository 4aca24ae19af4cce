import { describe, expect, it } from 'vitest';
import { approvalSettingsSchema, guardrailBreach, heldChanges, heldOutcome, heldSummary, percentChange, planChanges, type ApprovalSettings } from '../../sync/approval.ts';
import { canonicalChanges } from '../../sync/preview.ts';
import type { CompanyPlan, UnitAction } from '../../sync/records.ts';

const action = (from: number, to: number, over: Partial<UnitAction> = {}): UnitAction => ({ serviceId: 301, serviceName: 'PB Standard', productIds: ['std'], from, to, reason: 'count', ...over });
const plan = (...actions: UnitAction[]): CompanyPlan => ({ pbCompanyId: 'c1', pbCompanyName: 'Acme', contractId: 50, contractName: 'Acme Recurring', actions, problems: [] });
const review = (over: Partial<ApprovalSettings> = {}): ApprovalSettings => ({ mode: 'review', maxSeatChange: null, maxPercentChange: null, ...over });

describe('approval: percent change', () => {
  it('is the change over the units before', () => {
    expect(percentChange(10, 15)).toBe(50);
    expect(percentChange(10, 5)).toBe(50);
    expect(percentChange(4, 0)).toBe(100);
  });
  it('counts a change from 0 as 100 %, and no change as 0', () => {
    expect(percentChange(0, 1)).toBe(100);
    expect(percentChange(0, 500)).toBe(100);
    expect(percentChange(0, 0)).toBe(0);
    expect(percentChange(7, 7)).toBe(0);
  });
});

describe('approval: guardrails', () => {
  it('never holds in auto mode, however large the change', () => {
    expect(guardrailBreach(plan(action(1, 1000)), { mode: 'auto', maxSeatChange: 0, maxPercentChange: 0 })).toBeNull();
  });

  it('holds nothing in review mode without guardrails', () => {
    expect(guardrailBreach(plan(action(1, 1000)), review())).toBeNull();
  });

  it('holds a seat change beyond the limit, not one at it', () => {
    expect(guardrailBreach(plan(action(10, 15)), review({ maxSeatChange: 5 }))).toBeNull();
    expect(guardrailBreach(plan(action(10, 16)), review({ maxSeatChange: 5 }))).toBe('PB Standard: 10 → 16 is a change of 6 seats, beyond the guardrail of 5 seats');
  });

  it('holds a decrease as well as an increase', () => {
    expect(guardrailBreach(plan(action(16, 10)), review({ maxSeatChange: 5 }))).toContain('change of 6 seats');
    expect(guardrailBreach(plan(action(20, 10)), review({ maxPercentChange: 40 }))).toContain('change of 50 %');
  });

  it('holds a percent change beyond the limit, not one at it', () => {
    expect(guardrailBreach(plan(action(10, 15)), review({ maxPercentChange: 50 }))).toBeNull();
    expect(guardrailBreach(plan(action(10, 16)), review({ maxPercentChange: 50 }))).toBe('PB Standard: 10 → 16 is a change of 60 %, beyond the guardrail of 50 %');
  });

  it('counts a change from 0 as 100 %', () => {
    expect(guardrailBreach(plan(action(0, 1)), review({ maxPercentChange: 99 }))).toBe('PB Standard: 0 → 1 is a change of 100 % (from 0), beyond the guardrail of 99 %');
    expect(guardrailBreach(plan(action(0, 1)), review({ maxPercentChange: 100 }))).toBeNull();
  });

  it('looks at every service, and names the one beyond', () => {
    const p = plan(action(10, 11), action(3, 9, { serviceId: 302, serviceName: 'PB Advanced' }));
    expect(guardrailBreach(p, review({ maxSeatChange: 5 }))).toBe('PB Advanced: 3 → 9 is a change of 6 seats, beyond the guardrail of 5 seats');
  });

  it('ignores services already right, even with a 0 limit', () => {
    expect(guardrailBreach(plan(action(10, 10)), review({ maxSeatChange: 0, maxPercentChange: 0 }))).toBeNull();
    expect(guardrailBreach(plan(), review({ maxSeatChange: 0, maxPercentChange: 0 }))).toBeNull();
  });

  it('holds on either guardrail when both are set', () => {
    const both = review({ maxSeatChange: 100, maxPercentChange: 10 });
    expect(guardrailBreach(plan(action(10, 12)), both)).toContain('20 %');
    expect(guardrailBreach(plan(action(1000, 1050)), both)).toBeNull();
    expect(guardrailBreach(plan(action(10000, 10101)), both)).toContain('101 seats');
  });
});

describe('approval: held outcome', () => {
  it('lists each change as held, writes nothing, and names the guardrail', () => {
    const p = plan(action(10, 20, { unitPrice: 2.5 }), action(4, 4, { serviceId: 302, serviceName: 'PB Advanced' }));
    const out = heldOutcome(p, 'PB Standard: 10 → 20 is a change of 10 seats, beyond the guardrail of 5 seats');
    expect(out.status).toBe('held');
    expect(out.unitsChanged).toBe(0);
    expect(out.adjustments).toBe(0);
    expect(out.detail).toContain('beyond the guardrail of 5 seats');
    expect(out.results).toEqual([
      { productId: 'std', serviceId: 301, action: 'held', status: 'held', unitsBefore: 10, unitsAfter: 20, adjustmentId: null, errorType: null, reason: 'count', contractId: 50, unitPrice: 2.5, amountChange: 25, detail: 'PB Standard: 10 → 20 held for approval' },
    ]);
  });

  it('gives the same changes from the plan as from its held rows, so approval can match them', () => {
    const p = plan(action(10, 20), action(3, 0, { serviceId: 302, serviceName: 'PB Advanced', contractId: 49 }), action(5, 5, { serviceId: 303 }));
    const rows = heldOutcome(p, 'x').results.map((r) => ({ pbCompanyId: 'c1', autotaskContractId: r.contractId ?? null, autotaskServiceId: r.serviceId, action: r.action, unitsBefore: r.unitsBefore, unitsAfter: r.unitsAfter }));
    expect(canonicalChanges(heldChanges(rows))).toBe(canonicalChanges(planChanges(p)));
    expect(planChanges(p)).toHaveLength(2);
    // A count that moved since is a different plan.
    expect(canonicalChanges(planChanges(plan(action(10, 21), action(3, 0, { serviceId: 302, contractId: 49 }))))).not.toBe(canonicalChanges(heldChanges(rows)));
  });

  it('only takes held rows as held changes', () => {
    expect(heldChanges([{ pbCompanyId: 'c1', autotaskContractId: 50, autotaskServiceId: 301, action: 'set', unitsBefore: 1, unitsAfter: 2 }])).toEqual([]);
  });

  it('says how many were held', () => {
    expect(heldSummary(0)).toBeNull();
    expect(heldSummary(1)).toMatch(/^1 company held for approval/);
    expect(heldSummary(3)).toMatch(/^3 companies held for approval/);
  });
});

describe('approval: settings', () => {
  it('accepts the documented shape and refuses others', () => {
    expect(approvalSettingsSchema.safeParse({ mode: 'review', maxSeatChange: 5, maxPercentChange: 12.5 }).success).toBe(true);
    expect(approvalSettingsSchema.safeParse({ mode: 'auto', maxSeatChange: null, maxPercentChange: null }).success).toBe(true);
    expect(approvalSettingsSchema.safeParse({ mode: 'manual', maxSeatChange: null, maxPercentChange: null }).success).toBe(false);
    expect(approvalSettingsSchema.safeParse({ mode: 'review', maxSeatChange: 1.5, maxPercentChange: null }).success).toBe(false);
    expect(approvalSettingsSchema.safeParse({ mode: 'review', maxSeatChange: -1, maxPercentChange: null }).success).toBe(false);
    expect(approvalSettingsSchema.safeParse({ mode: 'review', maxSeatChange: null, maxPercentChange: null, bypass: true }).success).toBe(false);
  });
});

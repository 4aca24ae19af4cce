/**
 * Preview in review mode (issue 17): a dry run marks the changes Apply would hold, by the same
 * split the real run makes (sync/approval.ts), and its totals and fingerprint say so.
 */
import { describe, expect, it } from 'vitest';
import { heldOutcome, planChanges, splitByGuardrails, wouldHoldOutcome, type ApprovalSettings } from '../../sync/approval.ts';
import { canonicalChanges, diffChanges, plannedChanges, previewTotals, withoutHoldMarks } from '../../sync/preview.ts';
import type { CompanyPlan, UnitAction } from '../../sync/records.ts';

const action = (from: number, to: number, over: Partial<UnitAction> = {}): UnitAction => ({ serviceId: 301, serviceName: 'PB Standard', productIds: ['std'], from, to, reason: 'count', unitPrice: 2, ...over });
const plan = (id: string, ...actions: UnitAction[]): CompanyPlan => ({ pbCompanyId: id, pbCompanyName: id, contractId: 50, contractName: null, actions, problems: [] });
const review: ApprovalSettings = { mode: 'review', maxSeatChange: 5, maxPercentChange: 50 };
const rowsOf = (p: CompanyPlan, results: ReturnType<typeof heldOutcome>['results']) =>
  results.map((r) => ({ pbCompanyId: p.pbCompanyId, autotaskContractId: r.contractId ?? p.contractId, autotaskServiceId: r.serviceId, action: r.action, unitsBefore: r.unitsBefore, unitsAfter: r.unitsAfter, amountChange: r.amountChange }));
const setRows = (p: CompanyPlan) => p.actions.filter((a) => a.from !== a.to).map((a) => ({ pbCompanyId: p.pbCompanyId, autotaskContractId: p.contractId, autotaskServiceId: a.serviceId, action: 'would_set', unitsBefore: a.from, unitsAfter: a.to, amountChange: (a.to - a.from) * 2 }));

describe('preview: the guardrail split', () => {
  const small = plan('small', action(10, 12));
  const seats = plan('seats', action(100, 120), action(4, 5, { serviceId: 302, serviceName: 'PB Advanced' }));
  const percent = plan('percent', action(2, 4));

  it('holds the companies beyond a guardrail and writes the rest, in review mode only', () => {
    const split = splitByGuardrails([small, seats, percent], review, []);
    expect(split.toWrite.map((p) => p.pbCompanyId)).toEqual(['small']);
    expect(split.held.map((h) => h.plan.pbCompanyId)).toEqual(['seats', 'percent']);
    expect(splitByGuardrails([small, seats, percent], { ...review, mode: 'auto' }, []).held).toEqual([]);
  });

  it('writes a company past the guardrails only with a grant for exactly its changes', () => {
    const exact = { id: 'g1', pbCompanyId: 'seats', changes: canonicalChanges(planChanges(seats)) };
    const stale = { id: 'g2', pbCompanyId: 'percent', changes: canonicalChanges(planChanges(plan('percent', action(2, 5)))) };
    const split = splitByGuardrails([seats, percent], review, [exact, stale]);
    expect(split.toWrite.map((p) => p.pbCompanyId)).toEqual(['seats']);
    expect(split.usedGrantIds).toEqual(['g1']);
    expect(split.held.map((h) => h.plan.pbCompanyId)).toEqual(['percent']);
  });

  it('marks every change of a held company would_hold, each saying why', () => {
    const breach = splitByGuardrails([seats], review, []).held[0]!.breach;
    const out = wouldHoldOutcome(seats, breach, review);
    // A preview that would hold something can still be applied: not `held`, not a problem.
    expect(out.status).toBe('ok');
    expect(out.results.map((r) => [r.action, r.status, r.unitsBefore, r.unitsAfter, r.amountChange])).toEqual([['would_hold', 'ok', 100, 120, 40], ['would_hold', 'ok', 4, 5, 2]]);
    expect(out.results[0]!.detail).toBe('Would be held for approval: PB Standard: 100 → 120 is a change of 20 seats, beyond the guardrail of 5 seats');
    expect(out.results[1]!.detail).toBe(`Would be held for approval with the company's other change (${breach})`);
    expect(wouldHoldOutcome(percent, 'x', review).results[0]!.detail).toBe('Would be held for approval: PB Standard: 2 → 4 is a change of 100 %, beyond the guardrail of 50 %');
  });

  it('holds on Apply exactly the changes the preview marked', () => {
    const split = splitByGuardrails([small, seats, percent], review, []);
    const preview = plannedChanges([...setRows(small), ...split.held.flatMap((h) => rowsOf(h.plan, wouldHoldOutcome(h.plan, h.breach, review).results))]);
    const real = split.held.flatMap((h) => rowsOf(h.plan, heldOutcome(h.plan, h.breach).results));
    expect(withoutHoldMarks(preview.filter((c) => c.held))).toEqual(plannedChanges(real.map((r) => ({ ...r, action: 'would_set' }))));
  });
});

describe('preview: totals and fingerprint with held changes', () => {
  const rows = [
    { pbCompanyId: 'a', autotaskContractId: 50, autotaskServiceId: 301, action: 'would_set', unitsBefore: 10, unitsAfter: 12, amountChange: 4 },
    { pbCompanyId: 'b', autotaskContractId: 51, autotaskServiceId: 301, action: 'would_hold', unitsBefore: 100, unitsAfter: 120, amountChange: 40 },
    { pbCompanyId: 'b', autotaskContractId: 51, autotaskServiceId: 302, action: 'would_hold', unitsBefore: 4, unitsAfter: 5, amountChange: null },
    { pbCompanyId: 'c', autotaskContractId: 52, autotaskServiceId: 301, action: 'unchanged', unitsBefore: 7, unitsAfter: 7, amountChange: 0 },
  ];

  it('splits what would land from what would wait', () => {
    expect(previewTotals(rows)).toEqual({
      land: { changes: 1, companies: 1, seatChange: 2, amountChange: 4, unpricedChanges: 0 },
      wait: { changes: 2, companies: 1, seatChange: 21, amountChange: 40, unpricedChanges: 1 },
    });
  });

  it('counts held changes as changes (Apply runs their companies), marked held', () => {
    expect(plannedChanges(rows).map((c) => [c.pbCompanyId, c.serviceId, c.held ?? false])).toEqual([['a', 301, false], ['b', 301, true], ['b', 302, true]]);
  });

  it('tells a held change from the same numbers written', () => {
    const held = plannedChanges(rows);
    const written = plannedChanges(rows.map((r) => ({ ...r, action: r.action === 'would_hold' ? 'would_set' : r.action })));
    expect(canonicalChanges(held)).not.toBe(canonicalChanges(written));
    expect(diffChanges(held, written).map((d) => [d.serviceId, d.previewed, d.now])).toEqual([[301, { before: 100, after: 120, held: true }, { before: 100, after: 120 }], [302, { before: 4, after: 5, held: true }, { before: 4, after: 5 }]]);
    // An approval compares numbers only.
    expect(diffChanges(withoutHoldMarks(held), written)).toEqual([]);
  });

  it('keeps the canonical text of unmarked changes, which stored approvals are compared with', () => {
    expect(canonicalChanges(plannedChanges(rows.slice(0, 1)))).toBe('"a" 50 301 10 12');
  });
});

/**
 * A company's outcome: from its plan and what happened to each action, the result rows to record,
 * the status and one-line detail an MSP sees, and the run's counters. Pure: the activity that
 * applies a plan and the workflow's path for a company that could not be synced share it.
 */
import type { CompanyStatus } from './vocabulary.ts';
import { plannedStatus } from './plan.ts';
import type { CompanyPlan, ProductResult, UnitAction } from './records.ts';
import { reasonNote } from './reason-notes.ts';

export interface CompanyOutcome {
  status: CompanyStatus;
  detail: string;
  results: ProductResult[];
  unitsChanged: number;
  adjustments: number;
}

/** What a company's sync returns to its run. */
export interface CompanySyncResult {
  pbCompanyId: string;
  status: CompanyStatus;
  unitsChanged: number;
  adjustments: number;
}

/** What the child returns to its run, from the outcome it recorded. */
export const syncResultOf = (plan: CompanyPlan, outcome: CompanyOutcome): CompanySyncResult => ({
  pbCompanyId: plan.pbCompanyId,
  status: outcome.status,
  unitsChanged: outcome.unitsChanged,
  adjustments: outcome.adjustments,
});

/** What Autotask reported after a set-units write (integrations/autotask/set-units.ts). */
export interface AppliedUnits {
  before: number;
  after: number;
  adjustmentId: number | null;
  /** A retry found the target in place: an earlier attempt's write landed, its answer was lost. */
  appliedEarlier: boolean;
  /** The unit price the confirming read carried; null or absent: the plan's. */
  unitPrice?: number | null | undefined;
  /** What the record should say beyond the numbers (set-units' note, an earlier adjustment settled). */
  note?: string | null;
}

/**
 * What a change of units does to the invoice. Prices carry up to four decimals in Autotask, so
 * the product is rounded there, not left with binary-float tails (3 × 0.1).
 */
export function amountChangeOf(before: number | null, after: number | null, unitPrice: number | null | undefined): number | null {
  if (before === null || after === null || unitPrice === null || unitPrice === undefined) return null;
  return Math.round((after - before) * unitPrice * 10_000) / 10_000 + 0;
}

const base = (action: UnitAction) => ({
  productId: action.productIds.join('+'),
  serviceId: action.serviceId,
  unitsBefore: action.from,
  errorType: null,
  adjustmentId: null,
  reason: action.reason,
  contractId: action.contractId ?? null,
  unitPrice: action.unitPrice ?? null,
});

/** The result of an action that needs no write (already correct, or a dry run); undefined if it does. */
export function resultWithoutWrite(action: UnitAction, dryRun: boolean): ProductResult | undefined {
  if (action.from === action.to && !(action.awaitsAdjustment && !dryRun)) {
    return { ...base(action), action: 'unchanged', status: 'ok', unitsAfter: action.to, amountChange: amountChangeOf(action.from, action.to, action.unitPrice), detail: `${action.serviceName}: ${action.to} units, already correct${reasonNote(action)}` };
  }
  if (dryRun) {
    return { ...base(action), action: 'would_set', status: 'ok', unitsAfter: action.to, amountChange: amountChangeOf(action.from, action.to, action.unitPrice), detail: `${action.serviceName}: would set ${action.from} → ${action.to}${reasonNote(action)}` };
  }
  return undefined;
}

export function appliedResult(action: UnitAction, done: AppliedUnits): ProductResult {
  // An adjustment Autotask did not name still changed the units when they read back moved.
  const changed = done.adjustmentId !== null || done.appliedEarlier || done.before !== done.after;
  const notes = `${reasonNote(action)}${done.appliedEarlier ? ' (confirmed after a retry; Autotask did not return the adjustment id)' : ''}${done.note ? ` — ${done.note}` : ''}`;
  const unitPrice = done.unitPrice ?? action.unitPrice ?? null;
  return {
    ...base(action),
    unitPrice,
    amountChange: amountChangeOf(done.before, done.after, unitPrice),
    unitsBefore: done.before,
    unitsAfter: done.after,
    adjustmentId: done.adjustmentId,
    action: changed ? 'set' : 'unchanged',
    status: 'ok',
    detail: `${action.serviceName}: ${done.before} → ${done.after}${notes}`,
  };
}

/** A write that failed; `adjustmentId` names an adjustment Autotask accepted that did not read back. */
export function failedResult(action: UnitAction, errorType: string, detail: string, adjustmentId: number | null = null): ProductResult {
  // Nothing is known to have changed, so no amount either.
  return { ...base(action), action: 'set', status: 'error', unitsAfter: null, amountChange: null, errorType, detail, adjustmentId };
}

export const DISABLED_DURING_RUN = 'The integration was disabled during the run; nothing more was sent';

/**
 * The run's line for companies the switch stopped: without it a run whose other companies were
 * fine closes `ok` with nothing said, and the changes never sent go unnoticed.
 */
export function disabledRunSummary(companies: number): string | null {
  if (companies === 0) return null;
  return `The integration was disabled during the run: ${companies} compan${companies === 1 ? 'y was' : 'ies were'} not sent — turn it on and sync again to send them`;
}

/**
 * A company reached after the integration was disabled (docs/design.md rule 4): its writes not
 * yet made are not sent; those an earlier attempt confirmed stay confirmed and counted.
 */
export function disabledOutcome(plan: CompanyPlan, known: Array<ProductResult | undefined>): CompanyOutcome {
  const results = plan.actions.map(
    (a, i) => known[i] ?? { ...base(a), action: 'set', status: 'skipped' as const, unitsAfter: null, amountChange: null, detail: `${a.serviceName}: ${a.from} → ${a.to} not sent: the integration was disabled` }
  );
  const counted = companyOutcome(plan, results, false);
  return { ...counted, status: 'skipped', detail: DISABLED_DURING_RUN };
}

export function companyOutcome(plan: CompanyPlan, results: ProductResult[], dryRun: boolean): CompanyOutcome {
  const errors = [...plan.problems.filter((p) => p.severity === 'error').map((p) => p.detail), ...results.filter((r) => r.status === 'error').map((r) => r.detail ?? 'Autotask refused the change')];
  const warnings = plan.problems.filter((p) => p.severity === 'warning').map((p) => p.detail);
  const set = results.filter((r) => r.action === 'set' && r.status === 'ok');
  const unitsChanged = set.reduce((sum, r) => sum + Math.abs((r.unitsAfter ?? 0) - (r.unitsBefore ?? 0)), 0);
  const status: CompanyStatus = errors.length ? 'error' : warnings.length || plannedStatus(plan) === 'warning' ? 'warning' : 'ok';
  const detail = errors[0] ?? warnings[0] ?? summarise(results, dryRun);
  const rows = [...results];
  for (const lb of plan.leftBehind ?? []) {
    // Not an action and not a warning: the MSP chose this; the row says what stays billed. A
    // product was stopped, not the company: unmapping it (even with release=zero) would stop its
    // other services too, so the way out is Autotask itself or mapping the product back.
    const why = lb.cause === 'not_billed' ? 'its products are set to not billed' : 'its products are no longer mapped to it';
    rows.push({ productId: lb.productIds.join('+'), serviceId: lb.serviceId, action: 'left_behind', status: 'ok', unitsBefore: lb.units, unitsAfter: lb.units, adjustmentId: null, errorType: null, reason: null, contractId: lb.contractId, unitPrice: null, amountChange: null, detail: `${lb.serviceName}: ${lb.units} units left on contract #${lb.contractId} (${why}); nothing was written — if it should stop billing, set it to 0 in Autotask; to bill it again, map the product to this service` });
  }
  if (rows.length === 0 && plan.problems.length === 0) {
    rows.push({ productId: '', serviceId: null, action: 'none', status: 'ok', unitsBefore: null, unitsAfter: null, adjustmentId: null, errorType: null, detail });
  }
  if (errors.length && !rows.some((r) => r.status === 'error')) {
    rows.push({ productId: '', serviceId: null, action: 'problem', status: 'error', unitsBefore: null, unitsAfter: null, adjustmentId: null, errorType: plan.problems[0]?.code ?? null, detail: errors[0]! });
  }
  return { status, detail, results: rows, unitsChanged, adjustments: set.length };
}

function summarise(results: ProductResult[], dryRun: boolean): string {
  if (results.length === 0) return 'No users to bill and nothing billed';
  const changed = results.filter((r) => r.action === 'set' || r.action === 'would_set');
  if (changed.length === 0) return `Up to date: ${results.map((r) => r.detail).join('; ')}`;
  return `${dryRun ? 'Dry run — ' : ''}${changed.map((r) => r.detail).join('; ')}`;
}

/**
 * What a run changes on the invoices: the sum of its known amounts, and how many changes had no
 * known price (a service new on its contract), so a total is never shown as complete when it is not.
 */
export function amountTotals(rows: ReadonlyArray<Pick<ProductResult, 'action' | 'status' | 'amountChange'>>): { amountChange: number; unpricedChanges: number } {
  let sum = 0;
  let unpriced = 0;
  for (const r of rows) {
    if (r.status !== 'ok' || (r.action !== 'set' && r.action !== 'would_set')) continue;
    if (r.amountChange === null || r.amountChange === undefined) unpriced += 1;
    else sum += r.amountChange;
  }
  return { amountChange: Math.round(sum * 10_000) / 10_000 + 0, unpricedChanges: unpriced };
}

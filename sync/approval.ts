/**
 * Approval (issue 17): a partner in `review` mode sets guardrails, and a company whose planned
 * change goes beyond one is held instead of written, until the MSP approves or rejects it. Pure:
 * the planning activity asks here which companies to hold and what their results say.
 */
import { z } from 'zod';
import type { CompanyOutcome } from './company-outcome.ts';
import { amountChangeOf } from './company-outcome.ts';
import { canonicalChanges, plannedChanges, WOULD_HOLD_ACTION, type PlannedChange, type PreviewRow } from './preview.ts';
import type { CompanyPlan, ProductResult, UnitAction } from './records.ts';

/** The action of a result row for a change held for approval. */
export const HELD_ACTION = 'held';

export const approvalModes = ['auto', 'review'] as const;

/** What a partner saves; both guardrails null in review mode hold nothing. */
export const approvalSettingsSchema = z
  .object({
    mode: z.enum(approvalModes),
    /** Hold a company when any service's units move by more than this many seats. */
    maxSeatChange: z.number().int().min(0).max(1_000_000).nullable(),
    /** Hold a company when any service's units move by more than this percent (from 0 counts as 100 %). */
    maxPercentChange: z.number().min(0).max(100_000).nullable(),
  })
  .strict();
export type ApprovalSettings = z.infer<typeof approvalSettingsSchema>;

export const defaultApprovalSettings: ApprovalSettings = { mode: 'auto', maxSeatChange: null, maxPercentChange: null };

/** The percent a change from `from` to `to` is: a change from 0 counts as 100 %. */
export function percentChange(from: number, to: number): number {
  if (from === to) return 0;
  if (from === 0) return 100;
  return (Math.abs(to - from) / from) * 100;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Which guardrail a change goes beyond, and the sentence that says so. */
export interface GuardrailBreach {
  guardrail: 'seats' | 'percent';
  text: string;
}

/** Why one service's change goes beyond a guardrail (seats first); null when it does not. */
export function actionBreach(a: UnitAction, settings: ApprovalSettings): GuardrailBreach | null {
  if (settings.mode !== 'review' || a.from === a.to) return null;
  const seats = Math.abs(a.to - a.from);
  if (settings.maxSeatChange !== null && seats > settings.maxSeatChange) {
    return { guardrail: 'seats', text: `${a.serviceName}: ${a.from} → ${a.to} is a change of ${seats} seats, beyond the guardrail of ${settings.maxSeatChange} seats` };
  }
  const percent = percentChange(a.from, a.to);
  if (settings.maxPercentChange !== null && percent > settings.maxPercentChange) {
    return { guardrail: 'percent', text: `${a.serviceName}: ${a.from} → ${a.to} is a change of ${round(percent)} %${a.from === 0 ? ' (from 0)' : ''}, beyond the guardrail of ${settings.maxPercentChange} %` };
  }
  return null;
}

/**
 * Why a company's plan must be held, naming the guardrail and the numbers of its first service
 * beyond one; null when it may be written. Only `review` mode holds; a change that moves nothing
 * never does.
 */
export function guardrailBreach(plan: CompanyPlan, settings: ApprovalSettings): string | null {
  for (const a of plan.actions) {
    const breach = actionBreach(a, settings);
    if (breach) return breach.text;
  }
  return null;
}

/** An approval the MSP gave: the company may be written past the guardrails while its changes are exactly these. */
export interface UsableGrant {
  id: string;
  pbCompanyId: string;
  /** canonicalChanges of what was approved. */
  changes: string;
}

/**
 * Splits a run's plans into those to write and those held. A company beyond a guardrail is
 * written only while its changes are exactly an approval's (the grant is then used up). A real
 * run and a dry run both split here, so a preview marks exactly what Apply will hold.
 */
export function splitByGuardrails(plans: readonly CompanyPlan[], settings: ApprovalSettings, grants: readonly UsableGrant[]): { toWrite: CompanyPlan[]; held: Array<{ plan: CompanyPlan; breach: string }>; usedGrantIds: string[] } {
  const toWrite: CompanyPlan[] = [];
  const held: Array<{ plan: CompanyPlan; breach: string }> = [];
  const usedGrantIds: string[] = [];
  for (const plan of plans) {
    const breach = guardrailBreach(plan, settings);
    if (breach === null) {
      toWrite.push(plan);
      continue;
    }
    const changes = canonicalChanges(planChanges(plan));
    const grant = grants.find((g) => g.pbCompanyId === plan.pbCompanyId && g.changes === changes);
    if (grant) {
      usedGrantIds.push(grant.id);
      toWrite.push(plan);
    } else {
      held.push({ plan, breach });
    }
  }
  return { toWrite, held, usedGrantIds };
}

/** The changes a plan would write, in the preview's terms, so approval can fingerprint exactly them. */
export function planChanges(plan: CompanyPlan): PlannedChange[] {
  return plannedChanges(plan.actions.map((a) => ({ pbCompanyId: plan.pbCompanyId, autotaskContractId: a.contractId ?? plan.contractId, autotaskServiceId: a.serviceId, action: 'would_set', unitsBefore: a.from, unitsAfter: a.to })));
}

/** The changes a run held, from its result rows (action `held`), in the same terms. */
export function heldChanges(rows: readonly PreviewRow[]): PlannedChange[] {
  return plannedChanges(rows.filter((r) => r.action === HELD_ACTION).map((r) => ({ ...r, action: 'would_set' })));
}

/**
 * A held company's outcome: every change it would make is listed as `held` with its numbers
 * (nothing is written to Autotask), the detail names the guardrail.
 */
export function heldOutcome(plan: CompanyPlan, breach: string): CompanyOutcome {
  const detail = `Held for approval: ${breach}; nothing was written — approve or reject it in the run's details`;
  const results = changesOf(plan).map((a) => unwrittenResult(plan, a, HELD_ACTION, 'held', `${a.serviceName}: ${a.from} → ${a.to} held for approval`));
  return { status: 'held', detail, results, unitsChanged: 0, adjustments: 0 };
}

type PlanAction = CompanyPlan['actions'][number];

const changesOf = (plan: CompanyPlan) => plan.actions.filter((a) => a.from !== a.to);

/** A change recorded with its numbers and amount but not written (held, or would be held). */
function unwrittenResult(plan: CompanyPlan, a: PlanAction, action: ProductResult['action'], status: ProductResult['status'], detail: string): ProductResult {
  return {
    productId: a.productIds.join('+'),
    serviceId: a.serviceId,
    action,
    status,
    unitsBefore: a.from,
    unitsAfter: a.to,
    adjustmentId: null,
    errorType: null,
    reason: a.reason,
    contractId: a.contractId ?? plan.contractId,
    unitPrice: a.unitPrice ?? null,
    amountChange: amountChangeOf(a.from, a.to, a.unitPrice),
    detail,
  };
}

/**
 * What a dry run records for a company Apply would hold: each change as `would_hold` with its
 * numbers and amount, and why (its own guardrail, or the company's other service beyond one: a
 * company is held whole). Status `ok`: a preview that would hold something is still a preview
 * (it can be applied; holding is Apply's answer, not a problem of the plan).
 */
export function wouldHoldOutcome(plan: CompanyPlan, breach: string, settings: ApprovalSettings): CompanyOutcome {
  const results = changesOf(plan).map((a) => {
    const own = actionBreach(a, settings);
    return unwrittenResult(plan, a, WOULD_HOLD_ACTION, 'ok', own ? `Would be held for approval: ${own.text}` : `Would be held for approval with the company's other change (${breach})`);
  });
  return { status: 'ok', detail: `Dry run — would be held for approval: ${breach}`, results, unitsChanged: 0, adjustments: 0 };
}

/** A run's detail line for its held companies; null when none was held. A dry run says what Apply would do. */
export function heldSummary(held: number, dryRun = false): string | null {
  if (held === 0) return null;
  const companies = `${held} compan${held === 1 ? 'y' : 'ies'}`;
  return dryRun
    ? `${companies} would be held for approval on Apply (changes beyond the guardrails)`
    : `${companies} held for approval (changes beyond the guardrails); approve or reject them in the run's details`;
}

/**
 * partnerSync: one run for one partner. Records the run, skips when the integration is
 * disabled, plans with batched reads (an activity), then fans out one companySync child per
 * mapped company with bounded concurrency, continuing as new before the history grows large.
 * Startable from the Temporal UI with just `{"partnerId": "…"}`.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  condition,
  continueAsNew,
  defineQuery,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { bookkeeping, notifier, planning } from './activity-options.ts';
import { budgetPacer } from './budget-pacing.ts';
import type { CompanyPlan } from '../sync/records.ts';
import type { CompanySyncResult } from '../sync/company-outcome.ts';
import { maySync } from '../sync/may-sync.ts';
import type { companySync } from './company-sync.ts';
import { applicationFailureOf } from './failure-cause.ts';
import { companyWorkflowId, partnerSyncInputSchema, type PartnerSyncInput, type Totals } from './inputs.ts';
import { PartnerIdKey, SyncStatusKey } from './search-attributes.ts';

/**
 * 2026-12: a finished run sets its SyncStatus search attribute and tells the partner's alert
 * channels (two new commands at its end). Runs recorded before it replay without them.
 */
export const NOTIFY_RUN_OUTCOME_PATCH = '2026-12-notify-run-outcome';

/**
 * 2026-12: children no longer carry the run in a memo (written to every child's history and
 * visibility row); the worker's log interceptor reads it from the child's input, and a traced
 * start adds the memo itself for the span sink. Runs recorded before it replay with the memo.
 */
export const CHILD_RUN_IN_INPUT_PATCH = '2026-12-child-run-in-input';

/**
 * 2026-12: a run whose outcome raises no alert event (rule 14: most month-end runs, `ok` after
 * `ok`) no longer schedules notifyRunOutcome, which cost the server an activity task and the run
 * another workflow task each. Runs recorded before it replay with the activity.
 */
export const ALERT_ONLY_WHEN_RAISED_PATCH = '2026-12-alert-only-when-raised';

export interface SyncProgress extends Totals {
  total: number;
  running: number;
  phase: 'starting' | 'planning' | 'syncing' | 'finishing' | 'done';
  billingMonth: string | null;
}

export interface PartnerSyncSummary {
  runId: string;
  status: string;
  billingMonth: string | null;
  effectiveDate: string | null;
  total: number;
  done: number;
  failed: number;
  unitsChanged: number;
  adjustments: number;
  detail: string | null;
}

export const progressQuery = defineQuery<SyncProgress>('progress');

// Continue-as-new drains the window first (children end with their parent run), so it happens
// as rarely as history size allows: 1,000 children make about 7,000 events.
const DEFAULTS = { childConcurrency: 50, continueAsNewAfter: 1_000, pageSize: 200 };

/**
 * 2026-12: 150 companies in flight instead of 50. A company's write waits up to a second for its
 * confirming read to be batched with others (integrations/autotask/confirm-reads.ts), so 50 in
 * flight left Autotask's 3 write threads idle: N = 1,000 at 50 ms, 28.7 s against 36.1 s.
 * Runs recorded before it replay with 50.
 */
export const WIDER_CHILD_WINDOW_PATCH = '2026-12-child-window-150';
const WIDER_CHILD_WINDOW = 150;

/**
 * Temporal's own "continue as new suggested" comes at 4,096 events by default, every ~600
 * children, and each drain costs the run a second; these bounds stay well under the 10,240
 * events and 10 MB where Temporal starts warning, and far under its hard limits.
 */
function historyIsLarge(): boolean {
  const info = workflowInfo();
  return info.historyLength > 9_000 || info.historySize > 8 * 1024 * 1024;
}

export async function partnerSync(raw: PartnerSyncInput): Promise<PartnerSyncSummary> {
  const parsed = partnerSyncInputSchema().safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid partnerSync input: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`, 'InvalidInput');
  }
  const input = parsed.data;
  const tuning = { ...DEFAULTS, ...(input.tuning?.childConcurrency === undefined && patched(WIDER_CHILD_WINDOW_PATCH) ? { childConcurrency: WIDER_CHILD_WINDOW } : {}), ...input.tuning };
  const info = workflowInfo();
  const runId = info.firstExecutionRunId;
  const dryRun = input.dryRun ?? false;
  const progress: SyncProgress = { total: 0, done: 0, failed: 0, unitsChanged: 0, adjustments: 0, running: 0, phase: 'starting', billingMonth: null };
  setHandler(progressQuery, () => progress);

  let plan = input.continuation;
  if (!plan) {
    const started = await bookkeeping.startRun({ partnerId: input.partnerId, runId, workflowId: info.workflowId, trigger: input.trigger ?? 'temporal-ui', dryRun });
    const verdict = maySync(started, dryRun);
    if (!verdict.may) return finish({ partnerId: input.partnerId, runId, dryRun }, progress, 'skipped', verdict.detail);
    progress.phase = 'planning';
    let planned;
    try {
      planned = await planning.planRun({ partnerId: input.partnerId, runId, dryRun, companyIds: input.companyIds, timezone: started.timezone });
    } catch (err) {
      // Planning failed for good (credentials, Password Boss): every company gets the reason.
      const cause = applicationFailureOf(err);
      const detail = cause?.message ?? (err as Error).message;
      if (!dryRun) await bookkeeping.failCompanies({ runId, partnerId: input.partnerId, companyIds: input.companyIds, errorType: cause?.type ?? 'PlanningFailed', detail });
      return finish({ partnerId: input.partnerId, runId, dryRun }, progress, 'error', detail);
    }
    if (planned.state === 'nothing_to_do') return finish({ partnerId: input.partnerId, runId, dryRun }, progress, 'skipped', planned.detail);
    plan = { afterPosition: 0, billingMonth: planned.billingMonth, effectiveDate: planned.effectiveDate, total: planned.total, totals: { done: 0, failed: 0, unitsChanged: 0, adjustments: 0 }, detail: planned.detail, generation: 0 };
  }
  Object.assign(progress, plan.totals, { total: plan.total, billingMonth: plan.billingMonth, phase: 'syncing' });

  // --- fan-out: a sliding window of children, paged through the stored plan -----------------
  const pacer = budgetPacer({ partnerId: input.partnerId, runId, dryRun });
  let afterPosition = plan.afterPosition;
  let startedHere = 0;
  const inFlight = new Set<Promise<void>>();
  const track = (promise: Promise<void>) => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise));
  };

  for (;;) {
    const page = await bookkeeping.listRunCompanies({ runId, afterPosition, limit: tuning.pageSize });
    if (page.length === 0) break;
    // Only continue as new while companies remain: the last page just drains and finishes.
    if (startedHere >= tuning.continueAsNewAfter || (startedHere > 0 && historyIsLarge())) {
      await condition(() => inFlight.size === 0);
      // Children do not carry over a continue-as-new, so the window is drained first.
      await continueAsNew<typeof partnerSync>({
        ...input,
        continuation: { ...plan, afterPosition, totals: { done: progress.done, failed: progress.failed, unitsChanged: progress.unitsChanged, adjustments: progress.adjustments }, generation: plan.generation + 1 },
      });
    }
    for (const company of page) {
      await condition(() => inFlight.size < tuning.childConcurrency);
      const cost = await pacer.admit(company.plan);
      track(runChild({ partnerId: input.partnerId, runId, company, effectiveDate: plan.effectiveDate, dryRun, progress }).finally(() => pacer.release(cost)));
      progress.running = inFlight.size;
      afterPosition = company.position;
      startedHere++;
    }
  }
  await condition(() => inFlight.size === 0);
  return finish({ partnerId: input.partnerId, runId, dryRun }, progress, undefined, plan.detail, plan);
}

interface ChildRun {
  partnerId: string;
  runId: string;
  company: { position: number; plan: CompanyPlan };
  effectiveDate: string;
  dryRun: boolean;
  progress: SyncProgress;
}

async function runChild({ partnerId, runId, company, effectiveDate, dryRun, progress }: ChildRun): Promise<void> {
  let result: CompanySyncResult | undefined;
  try {
    const { plan: companyPlan } = company;
    const child = await startChild<typeof companySync>('companySync', {
      workflowId: companyWorkflowId(partnerId, companyPlan.pbCompanyId),
      args: [{ partnerId, runId, effectiveDate, dryRun, plan: companyPlan }],
      parentClosePolicy: ParentClosePolicy.TERMINATE,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: [{ key: PartnerIdKey, value: partnerId }],
      ...(patched(CHILD_RUN_IN_INPUT_PATCH) ? {} : { memo: { runId } }),
      staticSummary: `${dryRun ? 'Dry run: ' : ''}${companyPlan.pbCompanyName} → contract #${companyPlan.contractId}`,
    });
    result = await child.result();
  } catch (err) {
    // Another run is syncing this company right now, or the child failed outright.
    const busy = (err as Error).name === 'WorkflowExecutionAlreadyStartedError';
    await bookkeeping.recordCompanyResult({
      runId, partnerId, pbCompanyId: company.plan.pbCompanyId, contractId: company.plan.contractId, dryRun,
      status: busy ? 'skipped' : 'error',
      detail: busy ? 'Another sync of this company was already running; it was left to finish' : `The company sync failed: ${(err as Error).message}`,
      results: [], unitsChanged: 0, adjustments: 0,
    });
    result = { pbCompanyId: company.plan.pbCompanyId, status: busy ? 'skipped' : 'error', unitsChanged: 0, adjustments: 0 };
  }
  progress.done += 1;
  if (result.status === 'error') progress.failed += 1;
  progress.unitsChanged += result.unitsChanged;
  progress.adjustments += result.adjustments;
}

async function finish(
  run: { partnerId: string; runId: string; dryRun: boolean },
  progress: SyncProgress,
  status: 'skipped' | 'error' | undefined,
  detail: string | null,
  plan?: { billingMonth: string; effectiveDate: string; total: number }
): Promise<PartnerSyncSummary> {
  const { runId } = run;
  progress.phase = 'finishing';
  const closed = await bookkeeping.finishRun({ runId, ...(status ? { status } : {}), detail });
  const outcome = `${run.dryRun ? 'Dry run ' : ''}${closed.status}: ${closed.done} of ${plan?.total ?? 0} companies, ${closed.failed} failed, ${closed.unitsChanged} units changed`;
  // Not a command: the Temporal UI shows it as the run's current details.
  setCurrentDetails(`${outcome}${detail ? `\n\n${detail}` : ''}`);
  if (patched(NOTIFY_RUN_OUTCOME_PATCH)) {
    upsertSearchAttributes([{ key: SyncStatusKey, value: closed.status }]);
    // Skipped and dry runs never alert (rule 14), nor does a run whose outcome is no event, so
    // they cost no activity. An older finishRun result has no `raisesAlert`: it asked every time.
    const noEvent = closed.raisesAlert === false && patched(ALERT_ONLY_WHEN_RAISED_PATCH);
    if (!run.dryRun && closed.status !== 'skipped' && !noEvent) {
      try {
        await notifier.notifyRunOutcome({ partnerId: run.partnerId, runId });
      } catch (err) {
        // Retries are spent: the run's outcome stands; the failure is in the history and the log.
        log.warn('alert not delivered', { partnerId: run.partnerId, runId, error: (err as Error).message });
      }
    }
  }
  log.info('run finished', { partnerId: run.partnerId, runId, status: closed.status, dryRun: run.dryRun, done: closed.done, failed: closed.failed, unitsChanged: closed.unitsChanged, adjustments: closed.adjustments });
  progress.phase = 'done';
  return {
    runId,
    status: closed.status,
    billingMonth: plan?.billingMonth ?? null,
    effectiveDate: plan?.effectiveDate ?? null,
    total: plan?.total ?? 0,
    done: closed.done,
    failed: closed.failed,
    unitsChanged: closed.unitsChanged,
    adjustments: closed.adjustments,
    detail,
  };
}

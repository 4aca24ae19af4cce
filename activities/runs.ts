import { ApplicationFailure, log } from '@temporalio/activity';
import { findSettings } from '../db/repositories/autotask-settings.ts';
import { findPartner } from '../db/repositories/partners.ts';
import { releaseRunLease, replaceRunLease, takeRunLease, type LeaseHolder } from '../db/repositories/run-leases.ts';
import { ensureRun, finishRun } from '../db/repositories/sync-runs.ts';
import { releaseUnitWrites } from '../db/repositories/unit-writes.ts';
import { countHeld } from '../db/repositories/approval.ts';
import { countDisabledDuringRun } from '../db/repositories/company-mappings.ts';
import { disabledRunSummary } from '../sync/company-outcome.ts';
import { previousRunStatus } from '../db/repositories/notifications.ts';
import { eventForRun } from '../sync/notifications.ts';
import type { RunningRun } from '../sync/may-sync.ts';
import { ENDED_WITHOUT_OUTCOME } from '../sync/run-ended.ts';
import type { RunStatus } from '../sync/vocabulary.ts';
import type { Deps } from '../deps/deps.ts';
import { settledDetail } from '../sync/settled-detail.ts';


export function createRunActivities({ db, isWorkflowOpen }: Deps) {
  /** The lease's run still counts as running: recorded so, and (when Temporal can be asked) open there. */
  async function stillHeld(holder: LeaseHolder): Promise<boolean> {
    if (holder.status !== 'running') return false;
    return isWorkflowOpen ? isWorkflowOpen(holder.workflowId, holder.runId) : true;
  }

  /**
   * One run per partner, whatever started it (docs/design.md rule 12): takes the partner's lease,
   * or names the open run holding it. A lease left by a run that ended in Temporal without
   * finishing (terminated, a crash past its timeouts) is taken over, and that run closed `failed`.
   */
  async function takeLease(partnerId: string, runId: string, workflowId: string): Promise<RunningRun | null> {
    for (let tries = 0; tries < 5; tries++) {
      const lease = await takeRunLease(db, partnerId, runId, workflowId);
      if (lease.taken) return null;
      const { holder } = lease;
      if (await stillHeld(holder)) {
        return { runId: holder.runId, workflowId: holder.workflowId, trigger: holder.trigger, dryRun: holder.dryRun, startedAt: holder.startedAt.toISOString() };
      }
      if (holder.status === 'running') await finishRun(db, holder.runId, 'failed', ENDED_WITHOUT_OUTCOME);
      if (await replaceRunLease(db, partnerId, holder.runId, runId, workflowId)) {
        log.warn('took over the run lease of a run that is no longer open', { partnerId, from: holder.runId });
        return null;
      }
      // Another start changed the lease first: look again.
    }
    throw new Error(`the run lease of partner '${partnerId}' kept changing hands; trying again`);
  }

  return {
    /**
     * Records the run (idempotently: the API may have recorded it already), takes the partner's
     * run lease and reads the switches. A retry finds the lease already its own.
     */
    async startRun(input: { partnerId: string; runId: string; workflowId: string; trigger: string; dryRun: boolean }) {
      const partner = await findPartner(db, input.partnerId);
      if (!partner) {
        throw ApplicationFailure.nonRetryable(`partner '${input.partnerId}' does not exist`, 'PartnerNotFound');
      }
      const run = await ensureRun(db, { id: input.runId, partnerId: input.partnerId, workflowId: input.workflowId, trigger: input.trigger, dryRun: input.dryRun });
      const settings = await findSettings(db, input.partnerId);
      const runningRun = await takeLease(input.partnerId, run.id, input.workflowId);
      return { runId: run.id, timezone: partner.timezone, configured: Boolean(settings), enabled: settings?.enabled ?? false, runningRun };
    },

    /**
     * Closes the run. Without an explicit status it follows the companies: all fine → ok, some
     * failed → warning, all failed → error. `raisesAlert` says whether the outcome is an event
     * of rule 14 at all, so the run schedules notifyRunOutcome (an activity task and a workflow
     * task on the server) only then: at month-end most runs end `ok` after an `ok` one.
     */
    async finishRun(input: { runId: string; status?: RunStatus; detail: string | null }) {
      const current = await db.query.syncRuns.findFirst({ where: (t, { eq }) => eq(t.id, input.runId) });
      if (!current) throw ApplicationFailure.nonRetryable(`run ${input.runId} is not recorded`, 'RunNotFound');
      // Held companies (issue 17) make an otherwise fine run `held`, so it alerts and stands out.
      const held = input.status || current.failed > 0 ? 0 : await countHeld(db, input.runId);
      const status: RunStatus = input.status ?? (current.failed === 0 ? (held > 0 ? 'held' : 'ok') : current.failed >= current.total ? 'error' : 'warning');
      // Companies the switch stopped mid-run (rule 4) are not failures, but the run must say so.
      const notSent = current.dryRun || input.status ? 0 : await countDisabledDuringRun(db, current.partnerId, input.runId);
      // The run's last word: a failure's promise of a retry has run out by now.
      const base = settledDetail(input.detail) ?? current.detail;
      const stopped = disabledRunSummary(notSent);
      // A retried finishRun finds its own line already in the stored detail.
      const detail = stopped && !base?.includes(stopped) ? (base ? `${base}; ${stopped}` : stopped) : base;
      const finished = await finishRun(db, input.runId, status, detail);
      // Every company of the run has ended (children finish before their parent), so no write is in flight.
      await releaseUnitWrites(db, input.runId);
      // Only the run's own lease: a run skipped because another held it leaves that one alone.
      await releaseRunLease(db, input.runId);
      // Only an `ok` run needs the previous run's status (a recovery); the others tell on their own.
      const previous = finished!.status === 'ok' && !current.dryRun ? await previousRunStatus(db, current.partnerId, current.id, current.startedAt) : null;
      const raisesAlert = !current.dryRun && eventForRun(finished!.status, previous) !== null;
      return { status: finished!.status, done: finished!.done, failed: finished!.failed, unitsChanged: finished!.unitsChanged, adjustments: finished!.adjustments, raisesAlert };
    },
  };
}

import { ApplicationFailure } from '@temporalio/activity';
import { findSettings } from '../db/repositories/autotask-settings.ts';
import { findPartner } from '../db/repositories/partners.ts';
import { ensureRun, finishRun } from '../db/repositories/sync-runs.ts';
import { releaseUnitWrites } from '../db/repositories/unit-writes.ts';
import type { RunStatus } from '../sync/vocabulary.ts';
import type { Deps } from '../deps/deps.ts';

export function createRunActivities({ db }: Deps) {
  return {
    /** Records the run (idempotently: the API may have recorded it already) and reads the switches. */
    async startRun(input: { partnerId: string; runId: string; workflowId: string; trigger: string; dryRun: boolean }) {
      const partner = await findPartner(db, input.partnerId);
      if (!partner) {
        throw ApplicationFailure.nonRetryable(`partner '${input.partnerId}' does not exist`, 'PartnerNotFound');
      }
      const run = await ensureRun(db, { id: input.runId, partnerId: input.partnerId, workflowId: input.workflowId, trigger: input.trigger, dryRun: input.dryRun });
      const settings = await findSettings(db, input.partnerId);
      return { runId: run.id, timezone: partner.timezone, configured: Boolean(settings), enabled: settings?.enabled ?? false };
    },

    /**
     * Closes the run. Without an explicit status it follows the companies: all fine → ok, some
     * failed → warning, all failed → error.
     */
    async finishRun(input: { runId: string; status?: RunStatus; detail: string | null }) {
      const current = await db.query.syncRuns.findFirst({ where: (t, { eq }) => eq(t.id, input.runId) });
      if (!current) throw ApplicationFailure.nonRetryable(`run ${input.runId} is not recorded`, 'RunNotFound');
      const status: RunStatus = input.status ?? (current.failed === 0 ? 'ok' : current.failed >= current.total ? 'error' : 'warning');
      const finished = await finishRun(db, input.runId, status, input.detail ?? current.detail);
      // Every company of the run has ended (children finish before their parent), so no write is in flight.
      await releaseUnitWrites(db, input.runId);
      return { status: finished!.status, done: finished!.done, failed: finished!.failed, unitsChanged: finished!.unitsChanged, adjustments: finished!.adjustments };
    },
  };
}

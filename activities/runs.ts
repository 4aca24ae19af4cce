import { ApplicationFailure } from '@temporalio/activity';
import { findPartner } from '../db/repositories/partners.ts';
import { ensureRun, finishRun } from '../db/repositories/sync-runs.ts';
import type { RunStatus } from '../db/schema.ts';
import type { ActivityDeps } from './index.ts';

export function createRunActivities({ db }: ActivityDeps) {
  return {
    /** Records the run (idempotently: the API may have recorded it already). */
    async startRun(input: { partnerId: string; runId: string; workflowId: string; trigger: string; dryRun: boolean }) {
      const partner = await findPartner(db, input.partnerId);
      if (!partner) {
        throw ApplicationFailure.nonRetryable(`partner '${input.partnerId}' does not exist`, 'PartnerNotFound');
      }
      const run = await ensureRun(db, { id: input.runId, partnerId: input.partnerId, workflowId: input.workflowId, trigger: input.trigger, dryRun: input.dryRun });
      return { runId: run.id, partnerName: partner.name };
    },

    async finishRun(input: { runId: string; status: RunStatus; detail: string | null }) {
      const run = await finishRun(db, input.runId, input.status, input.detail);
      if (!run) throw ApplicationFailure.nonRetryable(`run ${input.runId} is not recorded`, 'RunNotFound');
      return { status: run.status, finishedAt: run.finishedAt?.toISOString() ?? null };
    },
  };
}

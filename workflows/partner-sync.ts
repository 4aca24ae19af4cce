import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.ts';
import { partnerSyncInputSchema, type PartnerSyncInput } from './inputs.ts';

type Activities = ReturnType<typeof createActivities>;

const db = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10, initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['PartnerNotFound'] },
});

export interface PartnerSyncSummary {
  runId: string;
  status: string;
}

/** Syncs one partner's mapped companies. Startable from the Temporal UI with `{"partnerId": "…"}`. */
export async function partnerSync(raw: PartnerSyncInput): Promise<PartnerSyncSummary> {
  const parsed = partnerSyncInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid partnerSync input: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`, 'InvalidInput');
  }
  const input = parsed.data;
  const info = workflowInfo();
  const runId = info.firstExecutionRunId;
  await db.startRun({ partnerId: input.partnerId, runId, workflowId: info.workflowId, trigger: input.trigger ?? 'temporal-ui', dryRun: input.dryRun ?? false });
  const finished = await db.finishRun({ runId, status: 'ok', detail: null });
  return { runId, status: finished.status };
}

/**
 * "Sync now": starts partnerSync at once, or returns the run already going. The fixed workflow
 * ID with USE_EXISTING makes the button idempotent even when two requests race.
 */
import type { Client } from '@temporalio/client';
import { workflowOpenCheck } from '../deps/workflow-open.ts';
import type { Db } from '../db/client.ts';
import { findRunLease } from '../db/repositories/run-leases.ts';
import { ensureRun, findRunningRun, finishRun } from '../db/repositories/sync-runs.ts';
import { partnerWorkflowId } from '../workflows/inputs.ts';
import type { partnerSync } from '../workflows/partner-sync.ts';
import { PartnerIdKey, SyncTriggerKey } from '../workflows/search-attributes.ts';

export interface SyncStarterDeps {
  db: Db;
  client: () => Client;
  taskQueue: string;
  namespace: string;
  temporalUiUrl: string | undefined;
}

export interface StartedSync {
  runId: string;
  workflowId: string;
  temporalUiUrl: string | null;
  alreadyRunning: boolean;
}

export function temporalUiLink(deps: Pick<SyncStarterDeps, 'temporalUiUrl' | 'namespace'>, workflowId: string, runId: string): string | null {
  if (!deps.temporalUiUrl) return null;
  return `${deps.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;
}

export function createSyncStarter(deps: SyncStarterDeps) {
  /** Whether the run's workflow chain (continue-as-new included) is still open in Temporal. */
  const stillRunning = (workflowId: string, firstExecutionRunId: string) => workflowOpenCheck(deps.client())(workflowId, firstExecutionRunId);

  return async function startSync(partnerId: string, options: { companyIds?: string[] | undefined; dryRun: boolean }): Promise<StartedSync> {
    // One run per partner whatever started it (rule 12): the run holding the lease (a scheduled
    // run, a Temporal UI start, a dry run) is the answer while it is open; a new start would only
    // end skipped.
    const holder = await findRunLease(deps.db, partnerId);
    if (holder?.status === 'running' && (await stillRunning(holder.workflowId, holder.runId))) {
      return { runId: holder.runId, workflowId: holder.workflowId, temporalUiUrl: temporalUiLink(deps, holder.workflowId, holder.runId), alreadyRunning: true };
    }
    const running = await findRunningRun(deps.db, partnerId, options.dryRun);
    if (running) {
      if (await stillRunning(running.workflowId, running.id)) {
        return { runId: running.id, workflowId: running.workflowId, temporalUiUrl: temporalUiLink(deps, running.workflowId, running.id), alreadyRunning: true };
      }
      // Terminated or timed out in Temporal without recording an outcome: close it, start afresh.
      await finishRun(deps.db, running.id, 'failed', 'The run ended in Temporal without recording its outcome (terminated, cancelled or timed out)');
    }
    const workflowId = partnerWorkflowId(partnerId, options.dryRun ? 'dry-run' : 'now');
    const handle = await deps.client().workflow.start<typeof partnerSync>('partnerSync', {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [{ partnerId, trigger: 'manual', dryRun: options.dryRun, ...(options.companyIds ? { companyIds: options.companyIds } : {}) }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: PartnerIdKey, value: partnerId },
        { key: SyncTriggerKey, value: 'manual' },
      ],
      staticSummary: `${options.dryRun ? 'Dry run' : 'Sync now'} for partner ${partnerId}`,
    });
    const runId = handle.firstExecutionRunId;
    await ensureRun(deps.db, { id: runId, partnerId, workflowId, trigger: 'manual', dryRun: options.dryRun });
    return { runId, workflowId, temporalUiUrl: temporalUiLink(deps, workflowId, runId), alreadyRunning: false };
  };
}

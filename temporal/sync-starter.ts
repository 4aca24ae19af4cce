/**
 * "Sync now": starts partnerSync at once, or returns the run already going. Starts of one
 * partner are serialised (a queue in the process, a PostgreSQL advisory lock across processes)
 * while the start checks, starts and takes the run lease, so two API requests (in one process or several) at the same instant, a
 * dry run racing a real run, or a start racing a scheduled run never yield two runs: the later
 * one answers `alreadyRunning` with the winner's run.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { workflowOpenCheck } from '../deps/workflow-open.ts';
import type { Db } from '../db/client.ts';
import { findRunLease, replaceRunLease, takeRunLease, type LeaseHolder } from '../db/repositories/run-leases.ts';
import { ensureRun, findRunningRun, finishRun } from '../db/repositories/sync-runs.ts';
import { partnerWorkflowId } from '../workflows/inputs.ts';
import type { partnerSync } from '../workflows/partner-sync.ts';
import { ENDED_WITHOUT_OUTCOME } from '../sync/run-ended.ts';
import { PartnerIdKey, SyncTriggerKey } from '../workflows/search-attributes.ts';

export interface SyncStarterDeps {
  db: Db;
  client: () => Client;
  taskQueue: string;
  namespace: string;
  temporalUiUrl: string | undefined;
  /** How long a start waits for a run that is closing before answering RunFinishingError. */
  closingWaitMs?: number;
}

/** The partner's last run has recorded its outcome but is still closing (sending its alerts). */
export class RunFinishingError extends Error {
  override name = 'RunFinishingError';
  constructor(partnerId: string) {
    super(`The last sync of partner '${partnerId}' is still finishing (sending its alerts); start again in a minute`);
  }
}

export interface StartedSync {
  runId: string;
  workflowId: string;
  temporalUiUrl: string | null;
  alreadyRunning: boolean;
}

/** An arbitrary constant that names "pb-autotask-sync: starting a partner's run" for pg_advisory_xact_lock. */
const START_LOCK_CLASS = 72_441_505;

export function temporalUiLink(deps: Pick<SyncStarterDeps, 'temporalUiUrl' | 'namespace'>, workflowId: string, runId: string): string | null {
  if (!deps.temporalUiUrl) return null;
  return `${deps.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;
}

export function createSyncStarter(deps: SyncStarterDeps) {
  /** Whether the run's workflow chain (continue-as-new included) is still open in Temporal. */
  const stillRunning = (workflowId: string, firstExecutionRunId: string) => workflowOpenCheck(deps.client())(workflowId, firstExecutionRunId);
  const going = (run: { runId: string; workflowId: string }): StartedSync => ({ runId: run.runId, workflowId: run.workflowId, temporalUiUrl: temporalUiLink(deps, run.workflowId, run.runId), alreadyRunning: true });
  const isOpen = async (holder: LeaseHolder) => holder.status === 'running' && (await stillRunning(holder.workflowId, holder.runId));

  /**
   * Takes the partner's run lease for the run just started; a lease whose run is gone is taken
   * over (that run closed `failed`). Returns the open run holding it instead, if any: a scheduled
   * or Temporal UI run took it between the check and the start (its workflow took the lease
   * itself, without this lock). Then the run just started ends `skipped`, naming that run.
   */
  async function takeLease(tx: Db, partnerId: string, runId: string, workflowId: string): Promise<LeaseHolder | null> {
    for (let tries = 0; tries < 5; tries++) {
      const lease = await takeRunLease(tx, partnerId, runId, workflowId);
      if (lease.taken) return null;
      if (await isOpen(lease.holder)) return lease.holder;
      if (lease.holder.status === 'running') await finishRun(tx, lease.holder.runId, 'failed', ENDED_WITHOUT_OUTCOME);
      if (await replaceRunLease(tx, partnerId, lease.holder.runId, runId, workflowId)) return null;
    }
    throw new Error(`the run lease of partner '${partnerId}' kept changing hands; try Sync now again`);
  }

  /** One start attempt under the lock; `closing`: Sync now's workflow recorded its end but has not closed yet. */
  async function attempt(partnerId: string, options: { companyIds?: string[] | undefined; dryRun: boolean }): Promise<StartedSync | { closing: WorkflowHandle }> {
    return deps.db.transaction(async (txn) => {
      const tx = txn as unknown as Db;
      // Released at commit, after the lease row is visible to every other start.
      await tx.execute(sql`select pg_advisory_xact_lock(${START_LOCK_CLASS}, hashtext(${partnerId}))`);
      // One run per partner whatever started it, dry or real (rule 12): the run holding the
      // lease (a scheduled run, a Temporal UI start, a dry run) is the answer while it is open.
      const holder = await findRunLease(tx, partnerId);
      if (holder && (await isOpen(holder))) return going(holder);
      for (const kind of [false, true]) {
        const running = await findRunningRun(tx, partnerId, kind);
        if (!running) continue;
        if (await stillRunning(running.workflowId, running.id)) return going({ runId: running.id, workflowId: running.workflowId });
        // Terminated or timed out in Temporal without recording an outcome: close it, start afresh.
        await finishRun(tx, running.id, 'failed', ENDED_WITHOUT_OUTCOME);
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
      const run = await ensureRun(tx, { id: runId, partnerId, workflowId, trigger: 'manual', dryRun: options.dryRun });
      if (run.status !== 'running') return { closing: handle };
      const other = await takeLease(tx, partnerId, runId, workflowId);
      if (other) return going(other);
      return { runId, workflowId, temporalUiUrl: temporalUiLink(deps, workflowId, runId), alreadyRunning: false };
    });
  }

  return async function startSync(partnerId: string, options: { companyIds?: string[] | undefined; dryRun: boolean }): Promise<StartedSync> {
    // The advisory lock serialises API processes on PostgreSQL; within a process (and on PGlite,
    // whose one session holds every advisory lock at once) starts of a partner queue here.
    return oneAtATime(partnerId, async () => {
      for (let tries = 0; tries < 3; tries++) {
        const started = await attempt(partnerId, options);
        if (!('closing' in started)) return started;
        // The run just finished: starting now would attach to it. Wait until it has closed, but
        // not for its alerts' retries (minutes when a webhook is down): the caller hears so.
        const closed = await Promise.race([
          started.closing.result().then(() => true, () => true),
          new Promise<false>((resolve) => setTimeout(() => resolve(false), deps.closingWaitMs ?? 15_000).unref()),
        ]);
        if (!closed) throw new RunFinishingError(partnerId);
      }
      throw new RunFinishingError(partnerId);
    });
  };
}

const queues = new Map<string, Promise<unknown>>();

/** Runs `fn` after every earlier call with the same key has settled (this process only). */
function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const next = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
  const tail = next.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return next;
}

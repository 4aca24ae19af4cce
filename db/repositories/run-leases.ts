/**
 * The one open run per partner (schema `runLeases`, docs/design.md rule 12). Taking it is one
 * statement, so two runs starting at the same moment cannot both win; handing over a lease whose
 * run is gone compares the holder first, so two starts cannot both take it over.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { runLeases, syncRuns } from '../schema.ts';

export interface LeaseHolder {
  runId: string;
  workflowId: string;
  trigger: string;
  dryRun: boolean;
  /** The holder's recorded status: `running` until its run records an outcome. */
  status: string;
  startedAt: Date;
}

/** Takes the partner's lease for the run (again, on a retry); else returns the run holding it. */
export async function takeRunLease(db: Db, partnerId: string, runId: string, workflowId: string): Promise<{ taken: true } | { taken: false; holder: LeaseHolder }> {
  const [mine] = await db
    .insert(runLeases)
    .values({ partnerId, runId, workflowId })
    .onConflictDoUpdate({ target: runLeases.partnerId, set: { workflowId }, setWhere: eq(runLeases.runId, runId) })
    .returning({ runId: runLeases.runId });
  if (mine) return { taken: true };
  const holder = await findRunLease(db, partnerId);
  // Released between the two statements: the next try takes it.
  if (!holder) return takeRunLease(db, partnerId, runId, workflowId);
  return { taken: false, holder };
}

export async function findRunLease(db: Db, partnerId: string): Promise<LeaseHolder | undefined> {
  const [row] = await db
    .select({ runId: runLeases.runId, workflowId: runLeases.workflowId, trigger: syncRuns.trigger, dryRun: syncRuns.dryRun, status: syncRuns.status, startedAt: syncRuns.startedAt })
    .from(runLeases)
    .innerJoin(syncRuns, eq(syncRuns.id, runLeases.runId))
    .where(eq(runLeases.partnerId, partnerId))
    .limit(1);
  return row;
}

/** Hands a lease whose run is gone to another run; false when someone else changed it first. */
export async function replaceRunLease(db: Db, partnerId: string, fromRunId: string, runId: string, workflowId: string): Promise<boolean> {
  const rows = await db
    .update(runLeases)
    .set({ runId, workflowId, takenAt: new Date() })
    .where(and(eq(runLeases.partnerId, partnerId), eq(runLeases.runId, fromRunId)))
    .returning({ runId: runLeases.runId });
  return rows.length > 0;
}

/** Releases the run's lease; a lease another run holds is left alone. */
export async function releaseRunLease(db: Db, runId: string): Promise<void> {
  await db.delete(runLeases).where(eq(runLeases.runId, runId));
}

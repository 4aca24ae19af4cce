import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { syncResults, syncRuns } from '../schema.ts';
import type { RunStatus } from '../../sync/vocabulary.ts';

export type SyncRun = typeof syncRuns.$inferSelect;
export type SyncResult = typeof syncResults.$inferSelect;

export interface NewRun {
  id: string;
  partnerId: string;
  workflowId: string;
  trigger: string;
  dryRun: boolean;
}

/** Idempotent: the API and the workflow may both record the same run. */
export async function ensureRun(db: Db, run: NewRun): Promise<SyncRun> {
  await db.insert(syncRuns).values(run).onConflictDoNothing({ target: syncRuns.id });
  const [row] = await db.select().from(syncRuns).where(eq(syncRuns.id, run.id)).limit(1);
  return row!;
}

export async function findRun(db: Db, partnerId: string, runId: string): Promise<SyncRun | undefined> {
  const [row] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.partnerId, partnerId), eq(syncRuns.id, runId)))
    .limit(1);
  return row;
}

export async function findRunningRun(db: Db, partnerId: string, dryRun: boolean): Promise<SyncRun | undefined> {
  const [row] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.partnerId, partnerId), eq(syncRuns.status, 'running'), eq(syncRuns.dryRun, dryRun)))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1);
  return row;
}

export async function listRuns(db: Db, partnerId: string, limit: number, before?: Date): Promise<SyncRun[]> {
  return db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.partnerId, partnerId), before ? lt(syncRuns.startedAt, before) : undefined))
    .orderBy(desc(syncRuns.startedAt))
    .limit(limit);
}

export async function updateRun(
  db: Db,
  runId: string,
  values: Partial<Pick<SyncRun, 'status' | 'billingMonth' | 'effectiveDate' | 'total' | 'detail' | 'finishedAt'>>
): Promise<void> {
  await db.update(syncRuns).set(values).where(eq(syncRuns.id, runId));
}

export interface RunProgress {
  done: number;
  failed: number;
  unitsChanged: number;
  adjustments: number;
}

/** Counters move by deltas in SQL so concurrent children never lose an update. */
export function runProgressSet(delta: RunProgress) {
  return {
    done: sql`${syncRuns.done} + ${delta.done}`,
    failed: sql`${syncRuns.failed} + ${delta.failed}`,
    unitsChanged: sql`${syncRuns.unitsChanged} + ${delta.unitsChanged}`,
    adjustments: sql`${syncRuns.adjustments} + ${delta.adjustments}`,
  };
}

export async function finishRun(db: Db, runId: string, status: RunStatus, detail: string | null): Promise<SyncRun | undefined> {
  const [row] = await db
    .update(syncRuns)
    .set({ status, detail, finishedAt: new Date(), pacedUntil: null })
    .where(eq(syncRuns.id, runId))
    .returning();
  return row;
}

export async function listRunResults(db: Db, runId: string): Promise<SyncResult[]> {
  return db.select().from(syncResults).where(eq(syncResults.runId, runId)).orderBy(syncResults.pbCompanyId, syncResults.productId);
}

/** Marks the run as waiting for the Autotask budget until `until`, or (null) as going again. */
export async function setRunPaced(db: Db, runId: string, until: Date | null): Promise<void> {
  await db.update(syncRuns).set({ pacedUntil: until }).where(eq(syncRuns.id, runId));
}

import { and, count, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
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

export interface RunPageQuery {
  limit: number;
  offset: number;
  before?: Date | undefined;
  /** Only runs with one of these statuses (the history's "errors only" filter); all when absent. */
  statuses?: readonly RunStatus[] | undefined;
}

/** One page of the history, newest first, with how many runs match in all (for the pager). */
export async function listRunsPage(db: Db, partnerId: string, q: RunPageQuery): Promise<{ items: SyncRun[]; total: number }> {
  const where = and(
    eq(syncRuns.partnerId, partnerId),
    q.before ? lt(syncRuns.startedAt, q.before) : undefined,
    q.statuses?.length ? inArray(syncRuns.status, [...q.statuses]) : undefined
  );
  const [items, [counted]] = await Promise.all([
    db.select().from(syncRuns).where(where).orderBy(desc(syncRuns.startedAt), desc(syncRuns.id)).limit(q.limit).offset(q.offset),
    db.select({ n: count() }).from(syncRuns).where(where),
  ]);
  return { items, total: counted?.n ?? 0 };
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

/**
 * Counters move by deltas in SQL so concurrent children never lose an update. A delta may be a
 * placeholder, for a statement prepared once (company-outcomes.ts).
 */
export function runProgressSet(delta: { [K in keyof RunProgress]: number | SQL }) {
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

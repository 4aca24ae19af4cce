/**
 * A company's outcome in a run: its result rows, the run's counters and the company's status
 * move together, once. One statement (data-modifying CTEs) instead of a five-round-trip
 * transaction: a sync records hundreds of these a second, and the run's counter row is locked
 * only for the statement, not for a transaction's round trips.
 */
import { and, count, eq, exists } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { companyMappings, syncResults, syncRuns } from '../schema.ts';
import type { CompanyStatus } from '../../sync/vocabulary.ts';
import type { ProductResult } from '../../sync/records.ts';
import { runProgressSet } from './sync-runs.ts';

export interface CompanyOutcomeRecord {
  runId: string;
  partnerId: string;
  pbCompanyId: string;
  contractId: number | null;
  /** A dry run records results and counters but leaves the company's status alone. */
  dryRun: boolean;
  /**
   * Leave the company's status and detail as they are: a company another run was syncing gets
   * its `skipped` row in this run, but the status belongs to the run that synced it.
   */
  keepCompanyStatus?: boolean | undefined;
  status: CompanyStatus;
  detail: string | null;
  rows: ProductResult[];
  unitsChanged: number;
  adjustments: number;
  at: Date;
}

/**
 * Returns false when the company already had its outcome in this run (an activity retry):
 * then nothing changes, so counters are never counted twice.
 */
export async function recordCompanyOutcome(db: Db, o: CompanyOutcomeRecord): Promise<boolean> {
  const inserted = db.$with('inserted').as(
    db
      .insert(syncResults)
      .values(o.rows.map((r) => ({
        runId: o.runId,
        partnerId: o.partnerId,
        pbCompanyId: o.pbCompanyId,
        productId: r.productId,
        autotaskContractId: r.contractId ?? o.contractId,
        autotaskServiceId: r.serviceId,
        action: r.action,
        status: r.status,
        unitsBefore: r.unitsBefore,
        unitsAfter: r.unitsAfter,
        adjustmentId: r.adjustmentId,
        errorType: r.errorType,
        detail: r.detail,
        reason: r.reason ?? null,
        unitPrice: r.unitPrice ?? null,
        amountChange: r.amountChange ?? null,
      })))
      .onConflictDoNothing()
      .returning({ id: syncResults.id })
  );
  const firstTime = exists(db.select().from(inserted));
  const run = db.$with('run').as(
    db
      .update(syncRuns)
      .set(runProgressSet({ done: 1, failed: o.status === 'error' ? 1 : 0, unitsChanged: o.unitsChanged, adjustments: o.adjustments }))
      .where(and(eq(syncRuns.id, o.runId), firstTime))
      .returning({ id: syncRuns.id })
  );
  const company = db.$with('company').as(
    db
      .update(companyMappings)
      .set({ status: o.status, detail: o.detail, lastSyncAt: o.at, lastRunId: o.runId })
      // An excluded company synced only to zero what it left behind keeps its status: excluded.
      .where(and(eq(companyMappings.partnerId, o.partnerId), eq(companyMappings.pbCompanyId, o.pbCompanyId), eq(companyMappings.excluded, false), firstTime))
      .returning({ id: companyMappings.pbCompanyId })
  );
  // A dry run, or a company another run holds, leaves the company's status alone.
  const [row] = await db.with(inserted, run, ...(o.dryRun || o.keepCompanyStatus ? [] : [company])).select({ n: count() }).from(inserted);
  return (row?.n ?? 0) > 0;
}

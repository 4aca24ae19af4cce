/**
 * A company's outcome in a run: its result rows, the run's counters and the company's status
 * move together, once. One statement (data-modifying CTEs) instead of a five-round-trip
 * transaction: a sync records hundreds of these a second, and the run's counter row is locked
 * only for the statement, not for a transaction's round trips.
 */
import { and, count, eq, exists, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { companyMappings, syncResults, syncRuns } from '../schema.ts';
import type { CompanyStatus } from '../../sync/vocabulary.ts';
import type { ProductResult } from '../../sync/records.ts';
import { runProgressSet } from './sync-runs.ts';
import { numericValue, param, statementByShape, timestampValue } from '../prepared.ts';

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

const outcomeKeys = ['runId', 'partnerId', 'pbCompanyId', 'status', 'detail', 'at', 'failed', 'unitsChanged', 'adjustments'] as const;
const rowKeys = ['productId', 'autotaskContractId', 'autotaskServiceId', 'action', 'status', 'unitsBefore', 'unitsAfter', 'adjustmentId', 'errorType', 'detail', 'reason', 'unitPrice', 'amountChange'] as const;

/**
 * The statement for a company's outcome with `rows` result rows, its values as placeholders
 * (db/prepared.ts `param`). Every company of a run records one, so the statement is prepared once
 * per shape and reused: drizzle's builder cost the worker more CPU than sending the statement.
 */
function outcomeStatement(db: Db, rows: number, withCompany: boolean) {
  const o = Object.fromEntries(outcomeKeys.map((k) => [k, param(k)])) as Record<(typeof outcomeKeys)[number], SQL>;
  const inserted = db.$with('inserted').as(
    db
      .insert(syncResults)
      .values(Array.from({ length: rows }, (_, i) => {
        const r = (k: (typeof rowKeys)[number]) => param(`${k}${i}`);
        return {
          runId: o.runId, partnerId: o.partnerId, pbCompanyId: o.pbCompanyId, productId: r('productId'), autotaskContractId: r('autotaskContractId'), autotaskServiceId: r('autotaskServiceId'),
          action: r('action'), status: r('status'), unitsBefore: r('unitsBefore'), unitsAfter: r('unitsAfter'), adjustmentId: r('adjustmentId'), errorType: r('errorType'), detail: r('detail'),
          reason: r('reason'), unitPrice: r('unitPrice'), amountChange: r('amountChange'),
        };
      }))
      .onConflictDoNothing()
      .returning({ id: syncResults.id })
  );
  const firstTime = exists(db.select().from(inserted));
  const run = db.$with('run').as(
    db
      .update(syncRuns)
      .set(runProgressSet({ done: 1, failed: o.failed, unitsChanged: o.unitsChanged, adjustments: o.adjustments }))
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
  return db.with(inserted, run, ...(withCompany ? [company] : [])).select({ n: count() }).from(inserted);
}

/** Shape: the number of result rows, and 1 when the company's status moves too. */
const outcome = statementByShape('company_outcome', (db, [rows, withCompany]) => outcomeStatement(db, rows!, withCompany === 1));

/**
 * Returns false when the company already had its outcome in this run (an activity retry):
 * then nothing changes, so counters are never counted twice.
 */
export async function recordCompanyOutcome(db: Db, o: CompanyOutcomeRecord): Promise<boolean> {
  const values: Record<string, unknown> = {
    runId: o.runId, partnerId: o.partnerId, pbCompanyId: o.pbCompanyId, status: o.status, detail: o.detail, at: timestampValue(o.at),
    failed: o.status === 'error' ? 1 : 0, unitsChanged: o.unitsChanged, adjustments: o.adjustments,
  };
  o.rows.forEach((r, i) => {
    const row = {
      productId: r.productId, autotaskContractId: r.contractId ?? o.contractId, autotaskServiceId: r.serviceId, action: r.action, status: r.status,
      unitsBefore: r.unitsBefore, unitsAfter: r.unitsAfter, adjustmentId: r.adjustmentId, errorType: r.errorType, detail: r.detail,
      reason: r.reason ?? null, unitPrice: numericValue(r.unitPrice), amountChange: numericValue(r.amountChange),
    } satisfies Record<(typeof rowKeys)[number], unknown>;
    for (const k of rowKeys) values[`${k}${i}`] = row[k];
  });
  // A dry run, or a company another run holds, leaves the company's status alone.
  const withCompany = !(o.dryRun || o.keepCompanyStatus);
  const [row] = await outcome(db, [o.rows.length, withCompany ? 1 : 0], values);
  return (row?.n ?? 0) > 0;
}

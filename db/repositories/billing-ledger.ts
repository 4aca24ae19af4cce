/**
 * The ownership ledger (schema `billingLedger`): confirmed writes in, owned pairs and history out.
 * A confirmed write also settles any pending release of its pair: whoever wrote it last owns it.
 */
import { and, asc, desc, eq, gt, inArray, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { jsonValue, param, statementByShape } from '../prepared.ts';
import { billingLedger, pendingReleases, type LedgerReason } from '../schema.ts';
import type { OwnedPair, PairRef } from '../../sync/ownership.ts';

export type LedgerRow = typeof billingLedger.$inferSelect;

export interface LedgerWrite {
  runId: string;
  contractId: number;
  serviceId: number;
  effectiveDate: string;
  units: number;
  pbCompanyId: string;
  productIds: string[];
  reason: LedgerReason;
}

/**
 * Records a write Autotask confirmed. Recording it again (an activity retry) keeps one row per run
 * and pair. One statement (the insert as a data-modifying CTE, which runs whether or not the
 * delete reads it): a run records hundreds a second, and a transaction cost four round trips.
 */
export async function recordLedgerWrite(db: Db, partnerId: string, write: LedgerWrite): Promise<void> {
  await ledgerWrite(db, [], { partnerId, ...write, productIds: jsonValue(write.productIds) });
}

/** Every confirmed write records one: prepared once, its values placeholders (db/prepared.ts `param`). */
const ledgerWrite = statementByShape('ledger_write', (db) => {
  const v = { runId: param('runId'), contractId: param('contractId'), serviceId: param('serviceId'), effectiveDate: param('effectiveDate'), units: param('units'), pbCompanyId: param('pbCompanyId'), productIds: param('productIds'), reason: param('reason') };
  const written = db.$with('written').as(
    db
      .insert(billingLedger)
      .values({ partnerId: param('partnerId'), ...v })
      .onConflictDoUpdate({
        target: [billingLedger.runId, billingLedger.contractId, billingLedger.serviceId],
        set: { units: v.units, effectiveDate: v.effectiveDate, pbCompanyId: v.pbCompanyId, productIds: v.productIds, reason: v.reason, setAt: sql`now()` },
      })
      .returning({ id: billingLedger.id })
  );
  return db
    .with(written)
    .delete(pendingReleases)
    .where(and(eq(pendingReleases.partnerId, param('partnerId')), eq(pendingReleases.contractId, param('contractId')), eq(pendingReleases.serviceId, param('serviceId'))));
});

/**
 * Records many confirmed pairs at once (a run's planning adopts every pair already right whose
 * owner the ledger does not show yet: on the first run after an upgrade, all of them). Same
 * rules as `recordLedgerWrite`, a few statements per thousand pairs.
 */
export async function recordLedgerWrites(db: Db, partnerId: string, writes: readonly LedgerWrite[]): Promise<void> {
  for (let i = 0; i < writes.length; i += 1000) {
    const part = writes.slice(i, i + 1000);
    await db.transaction(async (tx) => {
      await tx
        .insert(billingLedger)
        .values(part.map((w) => ({ partnerId, ...w })))
        .onConflictDoUpdate({
          target: [billingLedger.runId, billingLedger.contractId, billingLedger.serviceId],
          set: { units: sql.raw('excluded.units'), effectiveDate: sql.raw('excluded.effective_date'), pbCompanyId: sql.raw('excluded.pb_company_id'), productIds: sql.raw('excluded.product_ids'), reason: sql.raw('excluded.reason'), setAt: sql`now()` },
        });
      const byContract = new Map<number, number[]>();
      for (const w of part) byContract.set(w.contractId, [...(byContract.get(w.contractId) ?? []), w.serviceId]);
      await tx
        .delete(pendingReleases)
        .where(and(eq(pendingReleases.partnerId, partnerId), or(...[...byContract].map(([contractId, services]) => and(eq(pendingReleases.contractId, contractId), inArray(pendingReleases.serviceId, services))))));
    });
  }
}

/**
 * The pairs the service owns: the latest write per (contract, service) that left units. A pair
 * last set to 0 (moved, released, or a count of 0) holds nothing to move or leave behind.
 */
export async function listOwnedPairs(db: Db, partnerId: string, pbCompanyId?: string): Promise<OwnedPair[]> {
  const latest = await db
    .selectDistinctOn([billingLedger.contractId, billingLedger.serviceId])
    .from(billingLedger)
    .where(eq(billingLedger.partnerId, partnerId))
    .orderBy(asc(billingLedger.contractId), asc(billingLedger.serviceId), desc(billingLedger.setAt), desc(billingLedger.id));
  return latest
    .filter((r) => r.units > 0 && (pbCompanyId === undefined || r.pbCompanyId === pbCompanyId))
    .map((r) => ({ contractId: r.contractId, serviceId: r.serviceId, units: r.units, effectiveDate: r.effectiveDate, runId: r.runId, pbCompanyId: r.pbCompanyId, productIds: r.productIds }));
}

/**
 * Handovers inside a period: pairs this service zeroed because their company moved to a contract
 * that starts after the period's first day, with that date (the latest per pair). A company
 * mapped back to such a contract bills it again from there (docs/design.md rule 8b).
 * `periodStart` and `nextPeriodStart` are `YYYY-MM-01`; ledger dates compare as text.
 */
export async function listHandovers(db: Db, partnerId: string, periodStart: string, nextPeriodStart: string): Promise<Array<PairRef & { effectiveDate: string }>> {
  return db
    .select({ contractId: billingLedger.contractId, serviceId: billingLedger.serviceId, effectiveDate: sql<string>`max(${billingLedger.effectiveDate})` })
    .from(billingLedger)
    .where(and(eq(billingLedger.partnerId, partnerId), eq(billingLedger.reason, 'moved_contract'), eq(billingLedger.units, 0), gt(billingLedger.effectiveDate, periodStart), lt(billingLedger.effectiveDate, nextPeriodStart)))
    .groupBy(billingLedger.contractId, billingLedger.serviceId);
}

/** The ledger's history, newest first, optionally for one company (the portal's chart). */
export async function listLedgerHistory(db: Db, partnerId: string, query: { pbCompanyId?: string | undefined; limit: number; offset: number }): Promise<LedgerRow[]> {
  return db
    .select()
    .from(billingLedger)
    .where(and(eq(billingLedger.partnerId, partnerId), query.pbCompanyId !== undefined ? eq(billingLedger.pbCompanyId, query.pbCompanyId) : undefined))
    .orderBy(desc(billingLedger.setAt), desc(billingLedger.id))
    .limit(query.limit)
    .offset(query.offset);
}

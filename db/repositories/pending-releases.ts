/**
 * Pairs a stop left behind that the MSP asked to zero (`?release=zero`). The next run zeroes them
 * (sync/ownership.ts `release`); its confirmed write removes the request (billing-ledger.ts).
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { pendingReleases } from '../schema.ts';
import type { LeftBehind, PairRef } from '../../sync/ownership.ts';

/** Asks the next run to zero these pairs (asking again for a pair just refreshes the request). */
export async function requestReleases(db: Db, partnerId: string, pbCompanyId: string, pairs: readonly LeftBehind[]): Promise<void> {
  if (pairs.length === 0) return;
  await db
    .insert(pendingReleases)
    .values(pairs.map((p) => ({ partnerId, pbCompanyId, contractId: p.contractId, serviceId: p.serviceId, units: p.units })))
    .onConflictDoUpdate({
      target: [pendingReleases.partnerId, pendingReleases.contractId, pendingReleases.serviceId],
      set: { pbCompanyId: sql.raw('excluded.pb_company_id'), units: sql.raw('excluded.units'), requestedAt: sql`now()` },
    });
}

/** Withdraws a company's requests: it is billed again, or the MSP chose to keep the units. */
export async function withdrawReleases(db: Db, partnerId: string, pbCompanyId: string): Promise<void> {
  await db.delete(pendingReleases).where(and(eq(pendingReleases.partnerId, partnerId), eq(pendingReleases.pbCompanyId, pbCompanyId)));
}

export async function listPendingReleases(db: Db, partnerId: string): Promise<Array<PairRef & { pbCompanyId: string; units: number }>> {
  return db
    .select({ contractId: pendingReleases.contractId, serviceId: pendingReleases.serviceId, pbCompanyId: pendingReleases.pbCompanyId, units: pendingReleases.units })
    .from(pendingReleases)
    .where(eq(pendingReleases.partnerId, partnerId))
    .orderBy(asc(pendingReleases.contractId), asc(pendingReleases.serviceId));
}

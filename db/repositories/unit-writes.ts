/** Claims on a run's Autotask writes, so any retry knows whether to trust the run's read (see `unitWrites`). */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { unitWrites } from '../schema.ts';
import type { ProductResult } from '../../sync/records.ts';

export interface UnitWriteClaim {
  /** 1 when this call made the row: no earlier attempt got as far as this write. */
  attempts: number;
  /** The confirmed result an earlier attempt saved, if it got that far. */
  result: ProductResult | null;
}

/**
 * Claims a company's writes in a run before they are sent (one statement for all its services),
 * returning per service how many attempts claimed it and any result an earlier one saved.
 */
export async function claimUnitWrites(db: Db, runId: string, pbCompanyId: string, serviceIds: number[]): Promise<Map<number, UnitWriteClaim>> {
  if (serviceIds.length === 0) return new Map();
  const rows = await db
    .insert(unitWrites)
    .values(serviceIds.map((serviceId) => ({ runId, pbCompanyId, serviceId })))
    .onConflictDoUpdate({ target: [unitWrites.runId, unitWrites.pbCompanyId, unitWrites.serviceId], set: { attempts: sql`${unitWrites.attempts} + 1` } })
    .returning({ serviceId: unitWrites.serviceId, attempts: unitWrites.attempts, result: unitWrites.result });
  return new Map(rows.map((r) => [r.serviceId, { attempts: r.attempts, result: r.result }]));
}

/** Saves a confirmed write's result, so a retry of the company skips that service. */
export async function saveUnitWriteResult(db: Db, runId: string, pbCompanyId: string, serviceId: number, result: ProductResult): Promise<void> {
  await db.update(unitWrites).set({ result }).where(and(eq(unitWrites.runId, runId), eq(unitWrites.pbCompanyId, pbCompanyId), eq(unitWrites.serviceId, serviceId)));
}

/** A finished run has no write in flight, so its claims have done their job. */
export async function releaseUnitWrites(db: Db, runId: string): Promise<void> {
  await db.delete(unitWrites).where(eq(unitWrites.runId, runId));
}

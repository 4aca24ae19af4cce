import { and, asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { runCompanies } from '../schema.ts';
import type { CompanyPlan } from '../../sync/records.ts';

/** Stores a run's plan (replacing any earlier attempt's, so a retried planning step is harmless). */
export async function storeRunPlan(db: Db, runId: string, plans: CompanyPlan[]): Promise<void> {
  await db.transaction(async (txn) => {
    const tx = txn as unknown as Db;
    await clearRunPlan(tx, runId);
    await appendRunPlan(tx, runId, 0, plans);
  });
}

/** Forgets a run's stored plan: an earlier attempt's, before the planning step stores it again. */
export async function clearRunPlan(db: Db, runId: string): Promise<void> {
  await db.delete(runCompanies).where(eq(runCompanies.runId, runId));
}

/**
 * Stores the next companies of a run's plan, at the positions after `before` (the companies
 * stored so far), so a plan stored slice by slice reads back in one order.
 */
export async function appendRunPlan(db: Db, runId: string, before: number, plans: readonly CompanyPlan[]): Promise<void> {
  for (let i = 0; i < plans.length; i += 500) {
    await db.insert(runCompanies).values(plans.slice(i, i + 500).map((plan, j) => ({ runId, position: before + i + j + 1, pbCompanyId: plan.pbCompanyId, plan })));
  }
}

export async function listRunCompanyPage(db: Db, runId: string, afterPosition: number, limit: number) {
  const rows = await db
    .select({ position: runCompanies.position, pbCompanyId: runCompanies.pbCompanyId, plan: runCompanies.plan })
    .from(runCompanies)
    .where(and(eq(runCompanies.runId, runId), gt(runCompanies.position, afterPosition)))
    .orderBy(asc(runCompanies.position))
    .limit(limit);
  return rows;
}

/** A company's stored plan in a run (the workflow's give-up path recomputes its outcome from it). */
export async function findRunCompanyPlan(db: Db, runId: string, pbCompanyId: string): Promise<CompanyPlan | undefined> {
  const [row] = await db
    .select({ plan: runCompanies.plan })
    .from(runCompanies)
    .where(and(eq(runCompanies.runId, runId), eq(runCompanies.pbCompanyId, pbCompanyId)))
    .limit(1);
  return row?.plan;
}

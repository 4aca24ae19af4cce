import { and, asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { runCompanies } from '../schema.ts';
import type { CompanyPlan } from '../../sync/records.ts';

/** Stores a run's plan (replacing any earlier attempt's, so a retried planning step is harmless). */
export async function storeRunPlan(db: Db, runId: string, plans: CompanyPlan[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(runCompanies).where(eq(runCompanies.runId, runId));
    for (let i = 0; i < plans.length; i += 500) {
      await tx.insert(runCompanies).values(plans.slice(i, i + 500).map((plan, j) => ({ runId, position: i + j + 1, pbCompanyId: plan.pbCompanyId, plan })));
    }
  });
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

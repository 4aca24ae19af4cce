/** A run's result rows with the names a person reads them by, for the CSV export. */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { companyMappings, syncResults } from '../schema.ts';

export async function listRunResultsWithNames(db: Db, runId: string) {
  return db
    .select({ result: syncResults, pbCompanyName: companyMappings.pbCompanyName })
    .from(syncResults)
    .leftJoin(companyMappings, and(eq(companyMappings.partnerId, syncResults.partnerId), eq(companyMappings.pbCompanyId, syncResults.pbCompanyId)))
    .where(eq(syncResults.runId, runId))
    .orderBy(asc(syncResults.pbCompanyId), asc(syncResults.productId));
}

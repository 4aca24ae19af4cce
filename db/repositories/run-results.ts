/** A run's result rows with the names a person reads them by, for the run details and the CSV export. */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { companyMappings, productMappings, syncResults } from '../schema.ts';

export async function listRunResultsWithNames(db: Db, runId: string) {
  return db
    .select({ result: syncResults, pbCompanyName: companyMappings.pbCompanyName, companyContractId: companyMappings.autotaskContractId, companyContractName: companyMappings.autotaskContractName })
    .from(syncResults)
    .leftJoin(companyMappings, and(eq(companyMappings.partnerId, syncResults.partnerId), eq(companyMappings.pbCompanyId, syncResults.pbCompanyId)))
    .where(eq(syncResults.runId, runId))
    .orderBy(asc(syncResults.pbCompanyId), asc(syncResults.productId));
}

/** The partner's product and service names as the product mappings last saved them. */
export async function productAndServiceNames(db: Db, partnerId: string): Promise<{ products: Map<string, string>; services: Map<number, string> }> {
  const rows = await db
    .select({ productId: productMappings.productId, productName: productMappings.productName, serviceId: productMappings.autotaskServiceId, serviceName: productMappings.autotaskServiceName })
    .from(productMappings)
    .where(eq(productMappings.partnerId, partnerId));
  const products = new Map(rows.map((r) => [r.productId, r.productName]));
  const services = new Map(rows.flatMap((r) => (r.serviceId !== null && r.serviceName ? [[r.serviceId, r.serviceName] as const] : [])));
  return { products, services };
}

import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { productMappings } from '../schema.ts';

export type ProductMappingRow = typeof productMappings.$inferSelect;

export async function listProductMappings(db: Db, partnerId: string): Promise<ProductMappingRow[]> {
  return db.select().from(productMappings).where(eq(productMappings.partnerId, partnerId)).orderBy(productMappings.productId);
}

/** Replaces the partner's product mappings in one transaction. */
export async function replaceProductMappings(
  db: Db,
  partnerId: string,
  rows: Array<{ productId: string; productName: string; autotaskServiceId: number | null; autotaskServiceName: string | null }>
): Promise<ProductMappingRow[]> {
  return db.transaction(async (tx) => {
    await tx.delete(productMappings).where(eq(productMappings.partnerId, partnerId));
    if (rows.length) await tx.insert(productMappings).values(rows.map((r) => ({ ...r, partnerId, updatedAt: sql`now()` })));
    return tx.select().from(productMappings).where(eq(productMappings.partnerId, partnerId)).orderBy(productMappings.productId);
  });
}

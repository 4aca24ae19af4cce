import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { productMappings } from '../schema.ts';

export type ProductMappingRow = typeof productMappings.$inferSelect;

export async function listProductMappings(db: Db, partnerId: string): Promise<ProductMappingRow[]> {
  return db.select().from(productMappings).where(eq(productMappings.partnerId, partnerId)).orderBy(productMappings.productId);
}

type MappingRow = Pick<ProductMappingRow, 'productId' | 'productName' | 'autotaskServiceId' | 'autotaskServiceName'>;

/** An arbitrary constant that names "pb-autotask-sync: saving a partner's product mappings" for pg_advisory_xact_lock. */
const SAVE_LOCK_CLASS = 72_441_506;

/**
 * Replaces the partner's product mappings in one transaction. `rows` may be built from the
 * mappings as they stand inside it: saves of one partner run one at a time, so two saves that
 * each change one product both keep their change, and neither trips over the other's rows.
 */
export async function replaceProductMappings(
  db: Db,
  partnerId: string,
  rows: MappingRow[] | ((before: Map<string, ProductMappingRow>) => MappingRow[])
): Promise<ProductMappingRow[]> {
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db;
    await tx.execute(sql`select pg_advisory_xact_lock(${SAVE_LOCK_CLASS}, hashtext(${partnerId}))`);
    const wanted = typeof rows === 'function' ? rows(new Map((await listProductMappings(tx, partnerId)).map((m) => [m.productId, m]))) : rows;
    await tx.delete(productMappings).where(eq(productMappings.partnerId, partnerId));
    if (wanted.length) await tx.insert(productMappings).values(wanted.map((r) => ({ ...r, partnerId, updatedAt: sql`now()` })));
    return tx.select().from(productMappings).where(eq(productMappings.partnerId, partnerId)).orderBy(productMappings.productId);
  });
}

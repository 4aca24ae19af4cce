/**
 * Empties every table of the service's schema, keeping the migrations: a test that runs hundreds
 * of independent cases on one database (test/property) starts each from empty tables, so a case
 * costs the same whether it is the first or the five hundredth.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';

export async function emptyTables(db: Db): Promise<void> {
  const rows = (await db.execute(sql`select tablename from pg_tables where schemaname = 'public'`)) as unknown as { rows?: Array<{ tablename: string }> } | Array<{ tablename: string }>;
  const tables = (Array.isArray(rows) ? rows : (rows.rows ?? [])).map((r) => `"${r.tablename}"`);
  if (tables.length) await db.execute(sql.raw(`truncate ${tables.join(', ')} restart identity cascade`));
}

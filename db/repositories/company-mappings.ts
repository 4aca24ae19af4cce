import { and, asc, count, eq, ilike, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { preparedPerDb } from '../prepared.ts';
import { companyMappings } from '../schema.ts';
import type { CompanyStatus } from '../../sync/vocabulary.ts';

export type CompanyMappingRow = typeof companyMappings.$inferSelect;

/**
 * Brings the partner's Password Boss companies in (names, active flag) without touching
 * mappings or statuses; companies Password Boss no longer lists are kept (their history stays).
 */
export async function refreshCompanies(db: Db, partnerId: string, companies: Array<{ id: string; name: string; active: boolean }>): Promise<void> {
  for (let i = 0; i < companies.length; i += 1000) {
    const part = companies.slice(i, i + 1000);
    await db
      .insert(companyMappings)
      .values(part.map((c) => ({ partnerId, pbCompanyId: c.id, pbCompanyName: c.name, pbCompanyActive: c.active })))
      .onConflictDoUpdate({
        target: [companyMappings.partnerId, companyMappings.pbCompanyId],
        set: { pbCompanyName: sql.raw('excluded.pb_company_name'), pbCompanyActive: sql.raw('excluded.pb_company_active') },
      });
  }
}

export interface CompanyListQuery {
  search?: string | undefined;
  status?: CompanyStatus | undefined;
  mapped?: boolean | undefined;
  limit: number;
  offset: number;
}

/** Which filters a list query has: one prepared query per shape. */
type ListShape = `${boolean}|${boolean}|${'true' | 'false' | 'any'}`;

/**
 * The portal pages through thousands of rows, so the SQL is built once per filter shape and the
 * page and its total come in one round trip.
 */
const listQueries = preparedPerDb((db, shape: ListShape) => {
  const [search, status, mapped] = shape.split('|');
  const conditions: SQL[] = [eq(companyMappings.partnerId, sql.placeholder('partnerId'))];
  if (search === 'true') {
    const like = sql.placeholder('like');
    conditions.push(or(ilike(companyMappings.pbCompanyName, like), ilike(companyMappings.pbCompanyId, like), ilike(companyMappings.autotaskCompanyName, like))!);
  }
  if (status === 'true') conditions.push(eq(companyMappings.status, sql.placeholder('status')));
  if (mapped !== 'any') conditions.push(mapped === 'true' ? isNotNull(companyMappings.autotaskContractId) : sql`${companyMappings.autotaskContractId} is null`);
  const where = and(...conditions);
  const byName = [asc(companyMappings.pbCompanyName), asc(companyMappings.pbCompanyId)];
  // The page's keys come from an index-only scan of (partner, name, id); only those rows are
  // read from the table, and the total rides along as a scalar subquery.
  const pageKeys = db.select({ id: companyMappings.pbCompanyId }).from(companyMappings).where(where).orderBy(...byName).limit(sql.placeholder('limit')).offset(sql.placeholder('offset'));
  const total = db.select({ n: count() }).from(companyMappings).where(where);
  const name = `company_page_${shape.replaceAll('|', '_')}`;
  return {
    page: db
      .select({ row: companyMappings, total: sql<number>`(${total})`.mapWith(Number) })
      .from(companyMappings)
      .where(and(eq(companyMappings.partnerId, sql.placeholder('partnerId')), sql`${companyMappings.pbCompanyId} = any(array(${pageKeys}))`))
      .orderBy(...byName)
      .prepare(name),
    count: total.prepare(`${name}_count`),
  };
});

export async function listCompanyMappings(db: Db, partnerId: string, query: CompanyListQuery): Promise<{ items: CompanyMappingRow[]; total: number }> {
  const prepared = listQueries(db, `${Boolean(query.search)}|${query.status !== undefined}|${query.mapped ?? 'any'}`);
  const params = {
    partnerId,
    like: query.search ? `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null,
    status: query.status ?? null,
    limit: query.limit,
    offset: query.offset,
  };
  const rows = await prepared.page.execute(params);
  if (rows.length > 0) return { items: rows.map((r) => r.row), total: rows[0]!.total };
  // Past the last page no row carries the total; count separately.
  const [totalRow] = query.offset > 0 ? await prepared.count.execute(params) : [{ n: 0 }];
  return { items: [], total: totalRow?.n ?? 0 };
}

export async function findCompanyMapping(db: Db, partnerId: string, pbCompanyId: string): Promise<CompanyMappingRow | undefined> {
  const [row] = await db.select().from(companyMappings).where(and(eq(companyMappings.partnerId, partnerId), eq(companyMappings.pbCompanyId, pbCompanyId))).limit(1);
  return row;
}

/** The mapped companies a run syncs, optionally only some. */
export async function listMappedCompanies(db: Db, partnerId: string, companyIds?: string[]): Promise<CompanyMappingRow[]> {
  return db
    .select()
    .from(companyMappings)
    .where(and(eq(companyMappings.partnerId, partnerId), isNotNull(companyMappings.autotaskContractId), companyIds ? inArray(companyMappings.pbCompanyId, companyIds) : undefined))
    .orderBy(asc(companyMappings.pbCompanyId));
}

export async function saveCompanyMapping(
  db: Db,
  partnerId: string,
  pbCompanyId: string,
  values: { autotaskCompanyId: number; autotaskCompanyName: string; autotaskContractId: number; autotaskContractName: string }
): Promise<CompanyMappingRow | undefined> {
  const [row] = await db
    .update(companyMappings)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(companyMappings.partnerId, partnerId), eq(companyMappings.pbCompanyId, pbCompanyId)))
    .returning();
  return row;
}

/** Unmaps but keeps the row: the company's last status and its history stay visible. */
export async function clearCompanyMapping(db: Db, partnerId: string, pbCompanyId: string): Promise<CompanyMappingRow | undefined> {
  const [row] = await db
    .update(companyMappings)
    .set({ autotaskCompanyId: null, autotaskCompanyName: null, autotaskContractId: null, autotaskContractName: null, updatedAt: new Date() })
    .where(and(eq(companyMappings.partnerId, partnerId), eq(companyMappings.pbCompanyId, pbCompanyId)))
    .returning();
  return row;
}

export async function markCompaniesSyncing(db: Db, partnerId: string, pbCompanyIds: string[]): Promise<void> {
  for (let i = 0; i < pbCompanyIds.length; i += 1000) {
    await db
      .update(companyMappings)
      .set({ status: 'syncing' })
      .where(and(eq(companyMappings.partnerId, partnerId), inArray(companyMappings.pbCompanyId, pbCompanyIds.slice(i, i + 1000))));
  }
}

export async function setCompanyOutcome(
  db: Db,
  partnerId: string,
  pbCompanyId: string,
  outcome: { status: CompanyStatus; detail: string | null; lastSyncAt: Date; lastRunId: string }
): Promise<void> {
  await db.update(companyMappings).set(outcome).where(and(eq(companyMappings.partnerId, partnerId), eq(companyMappings.pbCompanyId, pbCompanyId)));
}

import { and, asc, count, eq, ilike, inArray, isNotNull, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { preparedPerDb } from '../prepared.ts';
import { companyMappings } from '../schema.ts';
import type { CompanyStatus } from '../../sync/vocabulary.ts';
import { DISABLED_DURING_RUN } from '../../sync/company-outcome.ts';

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
        // Only rows that changed are written: a re-read of an unchanged list (the portal asks for
        // one each time it opens) then writes nothing and keeps the cached pages of the list valid.
        setWhere: sql`(${companyMappings.pbCompanyName}, ${companyMappings.pbCompanyActive}) is distinct from (excluded.pb_company_name, excluded.pb_company_active)`,
      });
  }
}

export interface CompanyListQuery {
  search?: string | undefined;
  status?: CompanyStatus | undefined;
  mapped?: boolean | undefined;
  excluded?: boolean | undefined;
  limit: number;
  offset: number;
}

/** Which filters a list query has: one prepared query per shape. */
type ListShape = `${boolean}|${boolean}|${'true' | 'false' | 'any'}|${'true' | 'false' | 'any'}`;

/**
 * The portal pages through thousands of rows, so the SQL is built once per filter shape and the
 * page and its total come in one round trip.
 */
const listQueries = preparedPerDb((db, shape: ListShape) => {
  const [search, status, mapped, excluded] = shape.split('|');
  const conditions: SQL[] = [eq(companyMappings.partnerId, sql.placeholder('partnerId'))];
  if (search === 'true') {
    const like = sql.placeholder('like');
    conditions.push(or(ilike(companyMappings.pbCompanyName, like), ilike(companyMappings.pbCompanyId, like), ilike(companyMappings.autotaskCompanyName, like))!);
  }
  if (status === 'true') conditions.push(eq(companyMappings.status, sql.placeholder('status')));
  if (mapped !== 'any') conditions.push(mapped === 'true' ? isNotNull(companyMappings.autotaskContractId) : sql`${companyMappings.autotaskContractId} is null`);
  if (excluded !== 'any') conditions.push(eq(companyMappings.excluded, excluded === 'true'));
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
  const prepared = listQueries(db, `${Boolean(query.search)}|${query.status !== undefined}|${query.mapped ?? 'any'}|${query.excluded ?? 'any'}`);
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

/** The companies still to map (neither mapped nor excluded), by name: what match suggestions are for. */
export async function listUnmappedCompanies(db: Db, partnerId: string): Promise<Array<Pick<CompanyMappingRow, 'pbCompanyId' | 'pbCompanyName' | 'pbCompanyActive'>>> {
  return db
    .select({ pbCompanyId: companyMappings.pbCompanyId, pbCompanyName: companyMappings.pbCompanyName, pbCompanyActive: companyMappings.pbCompanyActive })
    .from(companyMappings)
    .where(and(eq(companyMappings.partnerId, partnerId), sql`${companyMappings.autotaskContractId} is null`, eq(companyMappings.excluded, false)))
    .orderBy(asc(companyMappings.pbCompanyName), asc(companyMappings.pbCompanyId));
}

/** The mapped companies a run syncs, optionally only some. */
export async function listMappedCompanies(db: Db, partnerId: string, companyIds?: string[]): Promise<CompanyMappingRow[]> {
  return db
    .select()
    .from(companyMappings)
    .where(and(eq(companyMappings.partnerId, partnerId), isNotNull(companyMappings.autotaskContractId), companyIds ? inArray(companyMappings.pbCompanyId, companyIds) : undefined))
    .orderBy(asc(companyMappings.pbCompanyId));
}

/**
 * Every company row of the partner, mapped or not, with only what a run's ownership decisions
 * read (docs/design.md rule 8b): who holds which contract, and who is excluded.
 */
export async function listCompanyStates(db: Db, partnerId: string) {
  return db
    .select({
      pbCompanyId: companyMappings.pbCompanyId,
      pbCompanyName: companyMappings.pbCompanyName,
      autotaskCompanyId: companyMappings.autotaskCompanyId,
      contractId: companyMappings.autotaskContractId,
      contractName: companyMappings.autotaskContractName,
      excluded: companyMappings.excluded,
    })
    .from(companyMappings)
    .where(eq(companyMappings.partnerId, partnerId))
    .orderBy(asc(companyMappings.pbCompanyId));
}

/** Another company of the partner that holds this contract (one contract, one company). */
export async function findContractHolder(db: Db, partnerId: string, contractId: number, exceptPbCompanyId: string): Promise<CompanyMappingRow | undefined> {
  const [row] = await db
    .select()
    .from(companyMappings)
    .where(and(eq(companyMappings.partnerId, partnerId), eq(companyMappings.autotaskContractId, contractId), ne(companyMappings.pbCompanyId, exceptPbCompanyId)))
    .orderBy(asc(companyMappings.pbCompanyId))
    .limit(1);
  return row;
}

/** Saving onto a contract another company holds: the unique index refused it (a concurrent save won). */
export class ContractTakenError extends Error {
  constructor(readonly contractId: number) {
    super(`contract #${contractId} is already mapped to another Password Boss company of the partner`);
  }
}

/**
 * Maps a company (and takes it out of exclusion: status `never_synced`). The unique index on (partner, contract) refuses
 * a contract another company holds, whatever the caller checked before: ContractTakenError.
 */
export async function saveCompanyMapping(
  db: Db,
  partnerId: string,
  pbCompanyId: string,
  values: { autotaskCompanyId: number; autotaskCompanyName: string; autotaskContractId: number; autotaskContractName: string }
): Promise<CompanyMappingRow | undefined> {
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .update(companyMappings)
        .set({
          ...values,
          excluded: false,
          contractSharedLegacy: false,
          // Out of exclusion, like `setCompanyExcluded(false)`: it has not been synced as a mapped company yet.
          status: sql`case when ${companyMappings.excluded} then 'never_synced' else ${companyMappings.status} end`,
          detail: sql`case when ${companyMappings.excluded} then null else ${companyMappings.detail} end`,
          updatedAt: new Date(),
        })
        .where(and(eq(companyMappings.partnerId, partnerId), eq(companyMappings.pbCompanyId, pbCompanyId)))
        .returning();
      await settleLegacyShares(tx, partnerId);
      return row;
    });
  } catch (err) {
    if (isViolationOf(err, 'company_mappings_partner_contract_idx')) throw new ContractTakenError(values.autotaskContractId);
    throw err;
  }
}

const unmapped = { autotaskCompanyId: null, autotaskCompanyName: null, autotaskContractId: null, autotaskContractName: null, contractSharedLegacy: false };

/** Unmaps but keeps the row: the company's last status and its history stay visible. */
export async function clearCompanyMapping(db: Db, partnerId: string, pbCompanyId: string): Promise<CompanyMappingRow | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(companyMappings)
      .set({ ...unmapped, updatedAt: new Date() })
      .where(and(eq(companyMappings.partnerId, partnerId), eq(companyMappings.pbCompanyId, pbCompanyId)))
      .returning();
    await settleLegacyShares(tx, partnerId);
    return row;
  });
}

/**
 * Excludes a company (billed by hand: never synced, no warning) or takes it back. Excluding
 * also unmaps it, so its contract is free for another company; taking it back leaves it unmapped.
 */
export async function setCompanyExcluded(db: Db, partnerId: string, pbCompanyId: string, excluded: boolean): Promise<CompanyMappingRow | undefined> {
  const key = and(eq(companyMappings.partnerId, partnerId), eq(companyMappings.pbCompanyId, pbCompanyId));
  if (!excluded) {
    // Only an excluded company changes: a mapped one keeps its mapping and its last status.
    const [back] = await db.update(companyMappings).set({ excluded, status: 'never_synced', detail: null, updatedAt: new Date() }).where(and(key, eq(companyMappings.excluded, true))).returning();
    return back ?? findCompanyMapping(db, partnerId, pbCompanyId);
  }
  return db.transaction(async (tx) => {
    const [row] = await tx.update(companyMappings).set({ ...unmapped, excluded, status: 'excluded', detail: null, updatedAt: new Date() }).where(key).returning();
    await settleLegacyShares(tx, partnerId);
    return row;
  });
}

/**
 * A row flagged by migration 0006 as sharing its contract rejoins the unique index once no other
 * company holds that contract, so the database guards it again.
 */
async function settleLegacyShares(tx: Pick<Db, 'execute'>, partnerId: string): Promise<void> {
  await tx.execute(sql`
    update company_mappings m set contract_shared_legacy = false
    where m.partner_id = ${partnerId} and m.contract_shared_legacy
      and not exists (select 1 from company_mappings o where o.partner_id = m.partner_id and o.autotask_contract_id = m.autotask_contract_id and o.pb_company_id <> m.pb_company_id)`);
}

/** A unique violation of the named index, as either driver reports it (drizzle wraps it in `cause`). */
function isViolationOf(err: unknown, index: string): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === '23505' && e.message.includes(index)) return true;
    if (code === '23505' && (e as { constraint_name?: unknown; constraint?: unknown }).constraint_name === index) return true;
  }
  return false;
}

/** How many of a partner's companies a run left unsent because the integration was disabled during it (rule 4). */
export async function countDisabledDuringRun(db: Db, partnerId: string, runId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(companyMappings)
    .where(and(eq(companyMappings.partnerId, partnerId), eq(companyMappings.lastRunId, runId), eq(companyMappings.status, 'skipped'), eq(companyMappings.detail, DISABLED_DURING_RUN)));
  return row?.n ?? 0;
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

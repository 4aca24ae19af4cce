/**
 * The partner's cached Autotask contracts (schema `autotaskContracts`) and up to when they are
 * known current. Read whole at the start of a run, written back after its reads.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { autotaskContracts, contractCacheState } from '../schema.ts';

export interface CachedContract {
  id: number;
  companyID: number;
  contractName: string;
  contractType: number;
  status: number | null;
  startDate: string | null;
  endDate: string | null;
  renewedContractID: number | null;
}

/** Rows per insert: 9 parameters each stays far below PostgreSQL's 65,535. */
const ROWS_PER_STATEMENT = 2_000;

/**
 * The cached contracts and the time they are current as of; an empty cache when there is none yet
 * or it was filled with another API user's credentials (possibly another tenant).
 */
export async function loadContractCache(db: Db, partnerId: string, username: string): Promise<{ readThrough: Date | null; contracts: Map<number, CachedContract> }> {
  const [state] = await db.select().from(contractCacheState).where(eq(contractCacheState.partnerId, partnerId)).limit(1);
  if (!state || state.username !== username) return { readThrough: null, contracts: new Map() };
  const rows = await db.select().from(autotaskContracts).where(eq(autotaskContracts.partnerId, partnerId));
  return {
    readThrough: state.readThrough,
    contracts: new Map(rows.map((r) => [r.contractId, { id: r.contractId, companyID: r.companyId, contractName: r.contractName, contractType: r.contractType, status: r.status, startDate: r.startDate, endDate: r.endDate, renewedContractID: r.renewedContractId }])),
  };
}

/**
 * Stores contracts just read and moves the "current as of" time. With `replace`, the cache was not
 * usable (first run, other credentials): what was there goes first.
 */
export async function saveContractCache(db: Db, partnerId: string, state: { username: string; readThrough: Date; replace: boolean }, contracts: readonly CachedContract[]): Promise<void> {
  await db.transaction(async (txn) => {
    const tx = txn as unknown as Db;
    if (state.replace) await tx.delete(autotaskContracts).where(eq(autotaskContracts.partnerId, partnerId));
    await upsertCachedContracts(tx, partnerId, contracts);
    await tx
      .insert(contractCacheState)
      .values({ partnerId, username: state.username, readThrough: state.readThrough })
      .onConflictDoUpdate({ target: contractCacheState.partnerId, set: { username: state.username, readThrough: state.readThrough } });
  });
}

/** Replaces cached contracts with a newer read of them, leaving the "current as of" time alone. */
export async function upsertCachedContracts(db: Db, partnerId: string, contracts: readonly CachedContract[]): Promise<void> {
  for (let i = 0; i < contracts.length; i += ROWS_PER_STATEMENT) {
    const rows = contracts.slice(i, i + ROWS_PER_STATEMENT).map((c) => ({ partnerId, contractId: c.id, companyId: c.companyID, contractName: c.contractName, contractType: c.contractType, status: c.status, startDate: c.startDate, endDate: c.endDate, renewedContractId: c.renewedContractID }));
    await db
      .insert(autotaskContracts)
      .values(rows)
      .onConflictDoUpdate({
        target: [autotaskContracts.partnerId, autotaskContracts.contractId],
        set: { companyId: sql`excluded.company_id`, contractName: sql`excluded.contract_name`, contractType: sql`excluded.contract_type`, status: sql`excluded.status`, startDate: sql`excluded.start_date`, endDate: sql`excluded.end_date`, renewedContractId: sql`excluded.renewed_contract_id` },
      });
  }
}

/** Forgets contracts Autotask no longer has, so no run takes them from the cache again. */
export async function forgetCachedContracts(db: Db, partnerId: string, contractIds: readonly number[]): Promise<void> {
  if (contractIds.length === 0) return;
  await db.delete(autotaskContracts).where(and(eq(autotaskContracts.partnerId, partnerId), inArray(autotaskContracts.contractId, [...contractIds])));
}

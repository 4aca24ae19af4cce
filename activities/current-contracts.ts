/**
 * The contracts a run plans with, read from Autotask as little as possible (issue 15): the
 * contracts cached by earlier runs, brought current by one query for every contract Autotask
 * stamped `lastModifiedDateTime` since the last read, and a batched read of those not cached yet.
 * A no-change month-end of 10,000 companies then reads one page of contracts, not 20.
 *
 * A cached contract may still be wrong if Autotask changed it without stamping it, or deleted it.
 * So `recheckWritten` reads again, in the same run and before anything is written, every cached
 * contract the plan would write to (docs/design.md, "Contracts between runs"): a stale cache can
 * only ever affect a company that writes nothing.
 */
import type { Db } from '../db/client.ts';
import { forgetCachedContracts, loadContractCache, saveContractCache, upsertCachedContracts, type CachedContract } from '../db/repositories/contract-cache.ts';
import type { AutotaskClient } from '../integrations/autotask/client.ts';
import type { AtContract } from '../integrations/autotask/schemas.ts';
import type { CompanyPlan } from '../sync/records.ts';

/**
 * How far before the last read the next one looks again. The "current as of" time is this
 * process's clock, Autotask stamps with its own, and a change committing while the read runs may
 * carry a slightly earlier stamp: 15 minutes covers both by far, for a page that stays small.
 */
export const MODIFIED_OVERLAP_MS = 15 * 60_000;

/** How old a cache may be and still be brought current by one modified-since query. */
export const CACHE_USABLE_FOR_MS = 7 * 24 * 3_600_000;

const toCached = (c: AtContract): CachedContract => ({ id: c.id, companyID: c.companyID, contractName: c.contractName, contractType: c.contractType, status: c.status ?? null, startDate: c.startDate, endDate: c.endDate, renewedContractID: c.renewedContractID ?? null });

const same = (a: CachedContract, b: CachedContract) =>
  a.companyID === b.companyID && a.contractName === b.contractName && a.contractType === b.contractType && a.status === b.status && a.startDate === b.startDate && a.endDate === b.endDate && a.renewedContractID === b.renewedContractID;

export interface CurrentContracts {
  /** The contracts asked for that Autotask has (a missing one is `contract_not_found` to the plan). */
  contracts: Map<number, CachedContract>;
  /** Those taken from the cache rather than read in this run. */
  fromCache: Set<number>;
}

export async function currentContracts(db: Db, autotask: AutotaskClient, partnerId: string, username: string, ids: readonly number[], signal: AbortSignal): Promise<CurrentContracts> {
  const cache = await loadContractCache(db, partnerId, username);
  // Autotask's clock is compared with this one, never with the billing clock (deps.now).
  const readThrough = new Date();
  const wanted = new Set(ids);
  const fresh = new Map<number, CachedContract>();
  // A cache not read for a long time (a paused partner) would ask for every contract the tenant
  // touched since: reading the run's own contracts by id is cheaper, and starts the cache afresh.
  const usable = cache.readThrough !== null && readThrough.getTime() - cache.readThrough.getTime() <= CACHE_USABLE_FOR_MS;
  if (!usable) cache.contracts.clear();
  if (usable && cache.readThrough) {
    const since = new Date(cache.readThrough.getTime() - MODIFIED_OVERLAP_MS);
    // Other contracts of the tenant changed too; only the ones runs use are kept.
    for (const c of await autotask.contractsModifiedSince(since, signal)) if (wanted.has(c.id) || cache.contracts.has(c.id)) fresh.set(c.id, toCached(c));
  }
  const missing = ids.filter((id) => !cache.contracts.has(id) && !fresh.has(id));
  if (missing.length) for (const c of await autotask.contractsByIds(missing, signal)) fresh.set(c.id, toCached(c));
  await saveContractCache(db, partnerId, { username, readThrough, replace: !usable }, [...fresh.values()]);

  const contracts = new Map<number, CachedContract>();
  const fromCache = new Set<number>();
  for (const id of wanted) {
    const c = fresh.get(id) ?? cache.contracts.get(id);
    if (!c) continue;
    contracts.set(id, c);
    if (!fresh.has(id)) fromCache.add(id);
  }
  return { contracts, fromCache };
}

/**
 * The contracts the plans' writes depend on: the one each write goes to (a company's own, or
 * another for a pair zeroed there), and the company's own whenever it writes anything, since its
 * start date sets the date of a zero written elsewhere (a move to a contract starting mid-month).
 */
export function writtenContracts(plans: readonly CompanyPlan[]): Set<number> {
  const out = new Set<number>();
  for (const p of plans) {
    const writes = p.actions.filter((a) => a.from !== a.to);
    for (const a of writes) out.add(a.contractId ?? p.contractId);
    if (writes.length > 0) out.add(p.contractId);
  }
  return out;
}

/**
 * Reads again the cached contracts the plans write to. Returns how many differed from the cache
 * (or are gone); those are replaced in `current` (and the cache), so planning again uses them.
 */
export async function recheckWritten(db: Db, autotask: AutotaskClient, partnerId: string, current: CurrentContracts, plans: readonly CompanyPlan[], signal: AbortSignal): Promise<number> {
  const ids = [...writtenContracts(plans)].filter((id) => current.fromCache.has(id));
  if (ids.length === 0) return 0;
  const read = new Map((await autotask.contractsByIds(ids, signal)).map((c) => [c.id, toCached(c)]));
  const changed: CachedContract[] = [];
  const gone: number[] = [];
  for (const id of ids) {
    current.fromCache.delete(id);
    const now = read.get(id);
    if (!now) {
      gone.push(id);
      current.contracts.delete(id);
    } else if (!same(now, current.contracts.get(id)!)) {
      changed.push(now);
      current.contracts.set(id, now);
    }
  }
  await upsertCachedContracts(db, partnerId, changed);
  await forgetCachedContracts(db, partnerId, gone);
  return changed.length + gone.length;
}

/**
 * Claims on a run's Autotask writes, one per (run, contract, service) (schema `unitWrites`): any
 * retry knows whether to trust the run's read, whether an adjustment was already posted, and what
 * an earlier attempt confirmed; a later run knows which adjustments never read back.
 */
import { and, desc, eq, inArray, isNotNull, isNull, ne, not, or, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { syncResults, syncRuns, unitWrites } from '../schema.ts';
import type { ProductResult } from '../../sync/records.ts';
import { jsonValue, param, statementByShape } from '../prepared.ts';

export interface UnitWrite {
  contractId: number;
  serviceId: number;
  target: number;
  effectiveDate: string;
}

export interface UnitWriteClaim {
  /** 1 when this call made the row: no earlier attempt got as far as this write. */
  attempts: number;
  /** The result an earlier attempt saved, if it got that far. */
  result: ProductResult | null;
  /** When Autotask accepted an adjustment for this claim (null: none posted, or not known to be). */
  postedAt: Date | null;
  adjustmentId: number | null;
  /** Another company of the run claimed the pair first: this company must not write it. */
  heldBy: string | null;
}

/** An adjustment an earlier run posted that never read back as applied. */
export interface PendingAdjustment {
  /** The claim's own id, which abandons it when Autotask did not name the adjustment. */
  id: string;
  runId: string;
  contractId: number;
  serviceId: number;
  target: number;
  effectiveDate: string;
  adjustmentId: number | null;
  postedAt: Date;
}

export const pairKey = (contractId: number, serviceId: number) => `${contractId}:${serviceId}`;

/**
 * Claims that are settled: nothing posted, or posted and confirmed — by the saved result, or (a
 * company's last write is not saved on its claim) by the company's recorded result row.
 */
const settled = or(
  isNull(unitWrites.postedAt),
  sql`coalesce(${unitWrites.result}->>'status', '') = 'ok'`,
  sql`(${unitWrites.result} is null and exists (select 1 from ${syncResults} r where r.run_id = ${unitWrites.runId} and r.pb_company_id = ${unitWrites.pbCompanyId} and r.autotask_contract_id = ${unitWrites.contractId} and r.autotask_service_id = ${unitWrites.serviceId} and r.status = 'ok'))`
);

/** The claim statement for `count` pairs; its values are placeholders (db/prepared.ts `param`). */
function claimStatement(db: Db, count: number) {
  return db
    .insert(unitWrites)
    .values(Array.from({ length: count }, (_, i) => ({ runId: param('runId'), pbCompanyId: param('pbCompanyId'), contractId: param(`contractId${i}`), serviceId: param(`serviceId${i}`), target: param(`target${i}`), effectiveDate: param(`effectiveDate${i}`) })))
    .onConflictDoUpdate({
      target: [unitWrites.runId, unitWrites.contractId, unitWrites.serviceId],
      set: { attempts: sql`${unitWrites.attempts} + 1` },
      // Another company's claim on the pair is left alone, and not returned.
      setWhere: eq(unitWrites.pbCompanyId, param('pbCompanyId')),
    })
    .returning();
}

/** Every company claims its writes: prepared once per number of pairs. */
const claim = statementByShape('claim_unit_writes', (db, [count]) => claimStatement(db, count!));

/**
 * Claims a company's writes in a run before they are sent (one statement for all its pairs),
 * returning per pair (`pairKey`) how many attempts claimed it, what an earlier one posted or
 * saved, or which other company of the run holds it.
 */
export async function claimUnitWrites(db: Db, runId: string, pbCompanyId: string, writes: UnitWrite[]): Promise<Map<string, UnitWriteClaim>> {
  const unique = [...new Map(writes.map((w) => [pairKey(w.contractId, w.serviceId), w])).values()];
  if (unique.length === 0) return new Map();
  const values: Record<string, unknown> = { runId, pbCompanyId };
  unique.forEach((w, i) => Object.assign(values, { [`contractId${i}`]: w.contractId, [`serviceId${i}`]: w.serviceId, [`target${i}`]: w.target, [`effectiveDate${i}`]: w.effectiveDate }));
  const rows = await claim(db, [unique.length], values);
  const claims = new Map<string, UnitWriteClaim>(
    rows.map((r) => [pairKey(r.contractId, r.serviceId), { attempts: r.attempts, result: r.result, postedAt: r.postedAt, adjustmentId: r.adjustmentId, heldBy: null }])
  );
  const taken = unique.filter((w) => !claims.has(pairKey(w.contractId, w.serviceId)));
  if (taken.length) {
    const others = await db
      .select({ contractId: unitWrites.contractId, serviceId: unitWrites.serviceId, pbCompanyId: unitWrites.pbCompanyId })
      .from(unitWrites)
      .where(and(eq(unitWrites.runId, runId), inArray(unitWrites.serviceId, taken.map((w) => w.serviceId)), inArray(unitWrites.contractId, taken.map((w) => w.contractId))));
    for (const o of others) {
      claims.set(pairKey(o.contractId, o.serviceId), { attempts: 0, result: null, postedAt: null, adjustmentId: null, heldBy: o.pbCompanyId });
    }
  }
  return claims;
}

/** A company's writes update their claims: these statements are prepared once. */
const claimOf = and(eq(unitWrites.runId, param('runId')), eq(unitWrites.contractId, param('contractId')), eq(unitWrites.serviceId, param('serviceId')));
const posted = statementByShape('unit_write_posted', (db) => db.update(unitWrites).set({ postedAt: sql`now()`, adjustmentId: param('adjustmentId') }).where(claimOf));
const resultSaved = statementByShape('unit_write_result', (db) => db.update(unitWrites).set({ result: param('result') }).where(claimOf));

/**
 * Autotask accepted the claim's adjustment: saved before the confirming read, so no later attempt
 * of the run posts to the pair again, whatever happens next.
 */
export async function markUnitWritePosted(db: Db, runId: string, contractId: number, serviceId: number, adjustmentId: number | null): Promise<void> {
  await posted(db, [], { runId, contractId, serviceId, adjustmentId });
}

/** Saves a write's result, so a retry of the company skips that service. */
export async function saveUnitWriteResult(db: Db, runId: string, contractId: number, serviceId: number, result: ProductResult): Promise<void> {
  await resultSaved(db, [], { runId, contractId, serviceId, result: jsonValue(result) });
}

/** A company's claims in a run (the workflow's give-up path reads what was confirmed). */
export async function listCompanyUnitWrites(db: Db, runId: string, pbCompanyId: string) {
  return db.select().from(unitWrites).where(and(eq(unitWrites.runId, runId), eq(unitWrites.pbCompanyId, pbCompanyId)));
}

/** The pending-adjustments read for so many contracts and services; values are placeholders. */
function pendingStatement(db: Db, contracts: number, services: number) {
  return db
    .select({ id: unitWrites.id, runId: unitWrites.runId, contractId: unitWrites.contractId, serviceId: unitWrites.serviceId, target: unitWrites.target, effectiveDate: unitWrites.effectiveDate, adjustmentId: unitWrites.adjustmentId, postedAt: unitWrites.postedAt })
    .from(unitWrites)
    .innerJoin(syncRuns, eq(syncRuns.id, unitWrites.runId))
    .where(and(
      eq(syncRuns.partnerId, param('partnerId')),
      ne(unitWrites.runId, param('runId')),
      isNotNull(unitWrites.postedAt),
      isNull(unitWrites.resolution),
      not(settled!),
      // Bare placeholders: a comparison binds them as given (only inserted and set values get encoded).
      inArray(unitWrites.contractId, Array.from({ length: contracts }, (_, i) => sql.placeholder(`contractId${i}`))),
      inArray(unitWrites.serviceId, Array.from({ length: services }, (_, i) => sql.placeholder(`serviceId${i}`)))
    ))
    .orderBy(unitWrites.postedAt);
}

/** Every company with a write reads it: prepared once per number of contracts and services. */
const pending = statementByShape('pending_adjustments', (db, [contracts, services]) => pendingStatement(db, contracts!, services!));

/** Adjustments other runs of the partner posted to these pairs that never read back as applied. */
export async function findPendingAdjustments(db: Db, partnerId: string, runId: string, pairs: Array<{ contractId: number; serviceId: number }>): Promise<Map<string, PendingAdjustment>> {
  if (pairs.length === 0) return new Map();
  const contractIds = [...new Set(pairs.map((p) => p.contractId))];
  const serviceIds = [...new Set(pairs.map((p) => p.serviceId))];
  const values: Record<string, unknown> = { partnerId, runId };
  contractIds.forEach((id, i) => (values[`contractId${i}`] = id));
  serviceIds.forEach((id, i) => (values[`serviceId${i}`] = id));
  const rows = await pending(db, [contractIds.length, serviceIds.length], values);
  const wanted = new Set(pairs.map((p) => pairKey(p.contractId, p.serviceId)));
  const out = new Map<string, PendingAdjustment>();
  for (const r of rows) {
    const key = pairKey(r.contractId, r.serviceId);
    // Claims made before the target was stored have nothing to compare against: nothing to wait for.
    if (!wanted.has(key) || r.target === null || r.effectiveDate === null || r.postedAt === null) continue;
    // The latest posted adjustment decides what the units should read once everything applied.
    out.set(key, { ...r, target: r.target, effectiveDate: r.effectiveDate, postedAt: r.postedAt });
  }
  return out;
}

/**
 * The pair's units now show what earlier runs posted: their adjustments no longer hold it. Kept,
 * marked `applied`, so an MSP who goes to abandon one learns it showed up after all.
 */
export async function settlePendingAdjustments(db: Db, partnerId: string, runId: string, contractId: number, serviceId: number): Promise<void> {
  await db
    .update(unitWrites)
    .set({ resolution: 'applied', resolvedAt: sql`now()` })
    .where(and(
      ne(unitWrites.runId, runId),
      eq(unitWrites.contractId, contractId),
      eq(unitWrites.serviceId, serviceId),
      isNotNull(unitWrites.postedAt),
      isNull(unitWrites.resolution),
      inArray(unitWrites.runId, db.select({ id: syncRuns.id }).from(syncRuns).where(eq(syncRuns.partnerId, partnerId)))
    ));
}

/**
 * A finished run has no write in flight, so its settled claims have done their job. A posted
 * adjustment that never read back stays: later runs must not post to that pair until it shows.
 */
export async function releaseUnitWrites(db: Db, runId: string): Promise<void> {
  await db.delete(unitWrites).where(and(eq(unitWrites.runId, runId), settled));
}

/** A posted adjustment that did not read back when its run ended, and how it was settled. */
export interface UnreadAdjustment {
  /** The claim's own id: abandons it by this when `adjustmentId` is null. */
  id: string;
  adjustmentId: number | null;
  runId: string;
  pbCompanyId: string;
  contractId: number;
  serviceId: number;
  target: number | null;
  effectiveDate: string | null;
  postedAt: Date;
  resolution: 'applied' | 'abandoned' | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
}

const unreadColumns = {
  id: unitWrites.id,
  adjustmentId: unitWrites.adjustmentId,
  runId: unitWrites.runId,
  pbCompanyId: unitWrites.pbCompanyId,
  contractId: unitWrites.contractId,
  serviceId: unitWrites.serviceId,
  target: unitWrites.target,
  effectiveDate: unitWrites.effectiveDate,
  postedAt: unitWrites.postedAt,
  resolution: unitWrites.resolution,
  resolvedAt: unitWrites.resolvedAt,
  resolvedBy: unitWrites.resolvedBy,
};

const asUnread = <T extends { postedAt: Date | null }>(r: T) => ({ ...r, postedAt: r.postedAt! });

/** The partner's adjustments that never read back in a finished run: waiting, then settled, newest first. */
export async function listUnreadAdjustments(db: Db, partnerId: string, limit: number): Promise<UnreadAdjustment[]> {
  const rows = await db
    .select(unreadColumns)
    .from(unitWrites)
    .innerJoin(syncRuns, eq(syncRuns.id, unitWrites.runId))
    .where(and(eq(syncRuns.partnerId, partnerId), ne(syncRuns.status, 'running'), isNotNull(unitWrites.postedAt), or(isNotNull(unitWrites.resolution), not(settled!))))
    .orderBy(sql`${unitWrites.resolution} is not null`, desc(unitWrites.postedAt))
    .limit(limit);
  return rows.map(asUnread);
}

export type AbandonOutcome =
  | { kind: 'abandoned'; adjustment: UnreadAdjustment }
  | { kind: 'not_found' }
  | { kind: 'in_flight'; runId: string }
  | { kind: 'confirmed'; adjustment: UnreadAdjustment };

/**
 * Which waiting adjustment: by Autotask's id, or by the claim's own id, the only handle on one
 * Autotask accepted without naming it.
 */
export type AdjustmentRef = { adjustmentId: number } | { id: string };

/**
 * The MSP declares that an adjustment which never read back will not apply (it checked Autotask):
 * the pair stops waiting and the next run posts afresh from the units it reads. Recorded with who
 * and when; abandoning it again answers the same record. An adjustment that has read back, or
 * whose run is still going (it may yet confirm it), is not abandoned.
 */
export async function abandonAdjustment(db: Db, partnerId: string, ref: AdjustmentRef, by: string): Promise<AbandonOutcome> {
  const [row] = await db
    .select({ ...unreadColumns, runStatus: syncRuns.status, settled: sql<boolean>`${settled}` })
    .from(unitWrites)
    .innerJoin(syncRuns, eq(syncRuns.id, unitWrites.runId))
    .where(and(eq(syncRuns.partnerId, partnerId), 'id' in ref ? eq(unitWrites.id, ref.id) : eq(unitWrites.adjustmentId, ref.adjustmentId), isNotNull(unitWrites.postedAt)))
    .limit(1);
  if (!row) return { kind: 'not_found' };
  const { runStatus, settled: done, ...adjustment } = row;
  if (adjustment.resolution === 'abandoned') return { kind: 'abandoned', adjustment: asUnread(adjustment) };
  if (adjustment.resolution === 'applied' || done) return { kind: 'confirmed', adjustment: asUnread(adjustment) };
  if (runStatus === 'running') return { kind: 'in_flight', runId: adjustment.runId };
  const [updated] = await db
    .update(unitWrites)
    .set({ resolution: 'abandoned', resolvedAt: sql`now()`, resolvedBy: by })
    .where(and(eq(unitWrites.runId, adjustment.runId), eq(unitWrites.contractId, adjustment.contractId), eq(unitWrites.serviceId, adjustment.serviceId), isNull(unitWrites.resolution)))
    .returning(unreadColumns);
  // Settled between the read and the update: a run saw its units meanwhile.
  if (!updated) return abandonAdjustment(db, partnerId, ref, by);
  return { kind: 'abandoned', adjustment: asUnread(updated) };
}

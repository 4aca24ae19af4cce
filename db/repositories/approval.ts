/** A partner's approval settings and the grants its approvals leave for the next run (sync/approval.ts). */
import { and, countDistinct, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { approvalGrants, approvalSettings, companyMappings, syncResults } from '../schema.ts';
import { defaultApprovalSettings, HELD_ACTION, type ApprovalSettings } from '../../sync/approval.ts';

export async function findApprovalSettings(db: Db, partnerId: string): Promise<ApprovalSettings> {
  const [row] = await db.select().from(approvalSettings).where(eq(approvalSettings.partnerId, partnerId)).limit(1);
  return row ? { mode: row.mode, maxSeatChange: row.maxSeatChange, maxPercentChange: row.maxPercentChange } : defaultApprovalSettings;
}

export async function saveApprovalSettings(db: Db, partnerId: string, settings: ApprovalSettings): Promise<ApprovalSettings> {
  await db
    .insert(approvalSettings)
    .values({ partnerId, ...settings })
    .onConflictDoUpdate({ target: approvalSettings.partnerId, set: { ...settings, updatedAt: new Date() } });
  return findApprovalSettings(db, partnerId);
}

export interface ApprovalGrant {
  id: string;
  pbCompanyId: string;
  changes: string;
}

/** Grants for an approval: one per company, each the canonical text of the changes approved. */
export async function grantApprovals(db: Db, partnerId: string, heldRunId: string, grants: Array<{ pbCompanyId: string; changes: string }>): Promise<string[]> {
  if (grants.length === 0) return [];
  const rows = await db.insert(approvalGrants).values(grants.map((g) => ({ partnerId, heldRunId, ...g }))).returning({ id: approvalGrants.id });
  return rows.map((r) => r.id);
}

/** Takes back grants no run started for (another run held the partner). */
export async function revokeGrants(db: Db, grantIds: string[]): Promise<void> {
  if (grantIds.length === 0) return;
  await db.delete(approvalGrants).where(and(inArray(approvalGrants.id, grantIds), isNull(approvalGrants.usedByRunId)));
}

/**
 * Takes back every grant no run has used for these companies: a Reject means "never write this",
 * and an approval whose real run never started would otherwise still let a later run write it.
 */
export async function withdrawUnusedGrants(db: Db, partnerId: string, pbCompanyIds: string[]): Promise<void> {
  if (pbCompanyIds.length === 0) return;
  await db.delete(approvalGrants).where(and(eq(approvalGrants.partnerId, partnerId), inArray(approvalGrants.pbCompanyId, pbCompanyIds), isNull(approvalGrants.usedByRunId)));
}

/** The held rows answered by an approval: they name the run that writes them, and are not answered twice. */
export async function markApproved(db: Db, runId: string, pbCompanyIds: string[], byRunId: string): Promise<void> {
  if (pbCompanyIds.length === 0) return;
  await db
    .update(syncResults)
    .set({ status: 'ok', action: 'approved', detail: sql`replace(${syncResults.detail}, 'held for approval', ${`approved; written by run ${byRunId}`})` })
    .where(and(eq(syncResults.runId, runId), eq(syncResults.action, HELD_ACTION), eq(syncResults.status, 'held'), inArray(syncResults.pbCompanyId, pbCompanyIds)));
}

/** Grants a run may use: not used yet, or used by this very run (a retried planning step). */
export async function findUsableGrants(db: Db, partnerId: string, runId: string, pbCompanyIds: string[]): Promise<ApprovalGrant[]> {
  if (pbCompanyIds.length === 0) return [];
  return db
    .select({ id: approvalGrants.id, pbCompanyId: approvalGrants.pbCompanyId, changes: approvalGrants.changes })
    .from(approvalGrants)
    .where(and(eq(approvalGrants.partnerId, partnerId), inArray(approvalGrants.pbCompanyId, pbCompanyIds), or(isNull(approvalGrants.usedByRunId), eq(approvalGrants.usedByRunId, runId))));
}

/** Uses grants up: a grant lets one run write, once. */
export async function useGrants(db: Db, runId: string, grantIds: string[]): Promise<void> {
  if (grantIds.length === 0) return;
  await db.update(approvalGrants).set({ usedByRunId: runId }).where(and(inArray(approvalGrants.id, grantIds), or(isNull(approvalGrants.usedByRunId), eq(approvalGrants.usedByRunId, runId))));
}

/**
 * Marks a run's held rows of the given companies rejected: Autotask is not touched, the run's
 * results say so. Returns the companies whose rows changed.
 */
export async function rejectHeld(db: Db, runId: string, pbCompanyIds: string[]): Promise<string[]> {
  if (pbCompanyIds.length === 0) return [];
  const rows = await db
    .update(syncResults)
    // The row keeps its numbers (before → after): what was turned down stays visible.
    .set({ status: 'rejected', action: 'rejected', detail: sql`replace(${syncResults.detail}, 'held for approval', 'rejected; nothing was written to Autotask')` })
    .where(and(eq(syncResults.runId, runId), eq(syncResults.action, HELD_ACTION), eq(syncResults.status, 'held'), inArray(syncResults.pbCompanyId, pbCompanyIds)))
    .returning({ pbCompanyId: syncResults.pbCompanyId });
  const rejected = [...new Set(rows.map((r) => r.pbCompanyId))];
  // The company's status follows, unless a later run has synced it since.
  if (rejected.length) {
    await db
      .update(companyMappings)
      .set({ status: 'rejected', detail: 'Its last held change was rejected; nothing was written to Autotask' })
      .where(and(eq(companyMappings.lastRunId, runId), eq(companyMappings.status, 'held'), inArray(companyMappings.pbCompanyId, rejected)));
  }
  return rejected;
}

/** How many companies a run held (rows still held, not yet rejected). */
export async function countHeld(db: Db, runId: string): Promise<number> {
  const [row] = await db
    .select({ n: countDistinct(syncResults.pbCompanyId) })
    .from(syncResults)
    .where(and(eq(syncResults.runId, runId), eq(syncResults.status, 'held')));
  return row?.n ?? 0;
}

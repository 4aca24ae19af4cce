/** The per-company steps: read the run's plan pages, apply a company's plan, record outcomes. */
import { ApplicationFailure, cancellationSignal, log } from '@temporalio/activity';
import { listMappedCompanies, setCompanyOutcome } from '../db/repositories/company-mappings.ts';
import { recordLedgerWrite } from '../db/repositories/billing-ledger.ts';
import { recordCompanyOutcome, type CompanyOutcomeRecord } from '../db/repositories/company-outcomes.ts';
import { findSettings } from '../db/repositories/autotask-settings.ts';
import { claimUnitWrites, findPendingAdjustments, listCompanyUnitWrites, markUnitWritePosted, pairKey, saveUnitWriteResult, settlePendingAdjustments, type PendingAdjustment } from '../db/repositories/unit-writes.ts';
import { findRunCompanyPlan, listRunCompanyPage } from '../db/repositories/run-companies.ts';
import { updateRun } from '../db/repositories/sync-runs.ts';
import { syncResults } from '../db/schema.ts';
import type { AutotaskClient } from '../integrations/autotask/client.ts';
import { ConfirmReads } from '../integrations/autotask/confirm-reads.ts';
import { setUnits } from '../integrations/autotask/set-units.ts';
import { IntegrationError } from '../integrations/errors.ts';
import { appliedResult, companyOutcome, disabledOutcome, failedResult, resultWithoutWrite, syncResultOf, type CompanyOutcome, type CompanySyncResult } from '../sync/company-outcome.ts';
import { productResultSchema, type CompanyPlan, type ProductResult, type UnitAction } from '../sync/records.ts';
import { autotaskFromSettings } from '../deps/autotask-for-partner.ts';
import { toApplicationFailure } from './failures.ts';
import type { Deps } from '../deps/deps.ts';
import { settledDetail } from '../sync/settled-detail.ts';

export interface ApplyCompanyPlanInput {
  partnerId: string;
  runId: string;
  effectiveDate: string;
  dryRun: boolean;
  plan: CompanyPlan;
}

/** A company's outcome as a workflow or this activity decided it: its per-service results. */
export type RecordCompanyResultInput = Omit<CompanyOutcomeRecord, 'rows' | 'at'> & { results: ProductResult[] };

export function createCompanyActivities(deps: Deps) {
  const confirmReads = new ConfirmReads(deps.autotask.confirmReads);
  /** Records a company's outcome once (a repeat by an activity retry changes nothing). */
  async function recordOutcome(input: RecordCompanyResultInput): Promise<void> {
    // A company skipped or failed before any action still gets one row, so its result is listed.
    const rows = input.results.length ? input.results : [{ productId: '', serviceId: null, action: 'none', status: input.status, unitsBefore: null, unitsAfter: null, adjustmentId: null, errorType: null, detail: input.detail }];
    await recordCompanyOutcome(deps.db, { ...input, rows, at: deps.now() });
  }

  /**
   * Merges what the company's claims know into a give-up outcome: a confirmed write replaces its
   * failed row; a posted one that never read back names its adjustment, so nobody posts it again
   * by hand. Recomputed from the stored plan, like applyCompanyPlan's own outcome.
   */
  async function withClaimedWrites(input: RecordCompanyResultInput): Promise<RecordCompanyResultInput> {
    const [plan, claims] = await Promise.all([findRunCompanyPlan(deps.db, input.runId, input.pbCompanyId), listCompanyUnitWrites(deps.db, input.runId, input.pbCompanyId)]);
    if (!plan || claims.length === 0) return input;
    const bySlot = (r: { productId: string; serviceId: number | null }) => `${r.productId}|${r.serviceId}`;
    const claimed = new Map(claims.map((c) => {
      const saved = productResultSchema.safeParse(c.result);
      return [c.serviceId, { ...c, result: saved.success ? saved.data : null }] as const;
    }));
    let merged = false;
    const results = input.results.map((row) => {
      const claim = row.serviceId === null ? undefined : claimed.get(row.serviceId);
      if (!claim || row.status !== 'error') return row;
      if (claim.result && bySlot(claim.result) === bySlot(row) && claim.result.status === 'ok') {
        merged = true;
        return claim.result;
      }
      if (claim.postedAt && !claim.result) {
        merged = true;
        const named = claim.adjustmentId === null ? 'An adjustment Autotask accepted without naming it' : `Adjustment ${claim.adjustmentId}`;
        return { ...row, adjustmentId: claim.adjustmentId, detail: `${named} was posted but not yet read back when the sync gave up; no sync posts to this service again until its units show it — ${row.detail ?? ''}` };
      }
      return row;
    });
    if (!merged) return input;
    const outcome = companyOutcome(plan, results, input.dryRun);
    return { ...input, ...outcome };
  }

  return {
    /** A page of the run's companies, in plan order, for the parent to fan out. */
    async listRunCompanies(input: { runId: string; afterPosition: number; limit: number }) {
      const rows = await listRunCompanyPage(deps.db, input.runId, input.afterPosition, input.limit);
      return rows.map((r) => ({ position: r.position, plan: r.plan }));
    },

    /**
     * A company's whole part of the run: each action through Autotask's read → adjust the
     * difference → confirm, then the outcome recorded. The workflow runs it as a local activity,
     * in the worker that runs the company's workflow: it costs Temporal no activity task.
     *
     * Retry-safe, whoever retries (this worker, or another after a crash): each write is claimed
     * in the database before it is sent. Only the first claim trusts the run's batched read of the
     * units; any later one re-reads before it writes, since an earlier write may have landed with
     * its answer lost. A write confirmed before a later step failed is skipped on retry. Autotask's
     * permanent refusals become that action's error and the company's other actions still run;
     * anything transient fails the attempt, to be retried (a 429 after the server's Retry-After).
     */
    async applyCompanyPlan(input: ApplyCompanyPlanInput): Promise<CompanySyncResult> {
      const { plan } = input;
      const companyDate = plan.effectiveDate ?? input.effectiveDate;
      /** A zeroing on a contract that starts later than the company's own date carries its own (rule 8b). */
      const dateOf = (a: UnitAction) => a.effectiveDate ?? companyDate;
      const contractOf = (a: UnitAction) => a.contractId ?? plan.contractId;
      const keyOf = (a: UnitAction) => pairKey(contractOf(a), a.serviceId);
      const withoutWrites = plan.actions.map((a) => resultWithoutWrite(a, input.dryRun));
      const writes = plan.actions.filter((_, i) => withoutWrites[i] === undefined);
      const pairsOf = (actions: UnitAction[]) => actions.map((a) => ({ contractId: contractOf(a), serviceId: a.serviceId }));
      // One round trip for the three reads a company starts with: its claims, the switch (and the
      // credentials, read with it) and earlier runs' adjustments that never read back.
      const [claims, settings, pendingAll] = await Promise.all([
        claimUnitWrites(deps.db, input.runId, plan.pbCompanyId, writes.map((a) => ({ contractId: contractOf(a), serviceId: a.serviceId, target: a.to, effectiveDate: dateOf(a) }))),
        writes.length ? findSettings(deps.db, input.partnerId) : Promise.resolve(undefined),
        findPendingAdjustments(deps.db, input.partnerId, input.runId, pairsOf(writes)),
      ]);
      const savedOf = (a: UnitAction) => {
        const saved = productResultSchema.safeParse(claims.get(keyOf(a))?.result);
        return saved.success ? saved.data : undefined;
      };
      const finish = async (outcome: CompanyOutcome) => {
        await recordOutcome({ runId: input.runId, partnerId: input.partnerId, pbCompanyId: plan.pbCompanyId, contractId: plan.contractId, dryRun: input.dryRun, ...outcome });
        return syncResultOf(plan, outcome);
      };
      // Disable means stop (rule 4): one look at the switch before this company sends anything.
      if (writes.some((a) => !savedOf(a)) && !settings?.enabled) {
        return finish(disabledOutcome(plan, plan.actions.map((a, i) => withoutWrites[i] ?? savedOf(a))));
      }
      // A pair this run already posted to is re-read, never held up by an earlier run's adjustment.
      const pending = new Map([...pendingAll].filter(([key]) => !claims.get(key)?.postedAt));
      let client: AutotaskClient | undefined;
      const autotask = async () => (client ??= autotaskFromSettings(deps, input.partnerId, settings));
      const where = (a: UnitAction) => `contract ${contractOf(a)} service ${a.serviceId}`;

      /** Permanent refusals become the service's error; anything transient fails the attempt. */
      const guarded = async (action: UnitAction, write: () => Promise<ProductResult>): Promise<ProductResult> => {
        let result: ProductResult;
        try {
          result = await write();
        } catch (err) {
          const failure = toApplicationFailure(err);
          if (!(failure instanceof ApplicationFailure) || !failure.nonRetryable) throw failure;
          log.warn('setting units failed', { pbCompanyId: plan.pbCompanyId, serviceId: action.serviceId, type: failure.type });
          return failedResult(action, failure.type ?? 'Unknown', failure.message, err instanceof IntegrationError ? (err.extra.adjustmentId ?? null) : null);
        }
        // Autotask confirmed the units: the pair is this company's now (rule 8b), and any release
        // pending on it is settled. Recorded before the claim's result, so a retry that skips the
        // write has recorded it already; recording it again changes nothing.
        await recordLedgerWrite(deps.db, input.partnerId, { runId: input.runId, contractId: contractOf(action), serviceId: action.serviceId, effectiveDate: dateOf(action), units: result.unitsAfter!, pbCompanyId: plan.pbCompanyId, productIds: action.productIds, reason: action.reason });
        return result;
      };
      /** `attempts`: of this run's claim; `note` when an earlier run's adjustment settled first (never trusted then). */
      const apply = (action: UnitAction, attempts: number, note: string | null = null) =>
        guarded(action, async () => {
          const contractId = contractOf(action);
          const trusted = attempts === 1 && note === null;
          const client = await autotask();
          const done = await setUnits(
            client,
            { contractId, serviceId: action.serviceId, effectiveDate: dateOf(action), target: action.to, ...(trusted ? { knownCurrent: action.from } : {}) },
            cancellationSignal(),
            // Saved before the confirming read: from here on no attempt of this run posts to the pair again.
            (adjustmentId) => markUnitWritePosted(deps.db, input.runId, contractId, action.serviceId, adjustmentId),
            // Confirmed together with the other companies' writes of this worker: one read for many.
            () => confirmReads.announce(input.partnerId, client, dateOf(action))
          );
          // A retry that finds the target in place: report the change as the run's own, from the planned value.
          const appliedEarlier = attempts > 1 && done.adjustmentId === null && action.from !== action.to && done.before === action.to;
          const notes = [done.note, note].filter((n) => n !== null).join('; ') || null;
          return appliedResult(action, { before: appliedEarlier ? action.from : done.before, after: done.after, adjustmentId: done.adjustmentId, appliedEarlier, note: notes, unitPrice: done.unitPrice });
        });
      /** An earlier attempt of this run posted the adjustment: read, never post again. */
      const reconfirm = (action: UnitAction, adjustmentId: number | null) =>
        guarded(action, async () => {
          const now = await (await autotask()).serviceUnits(contractOf(action), action.serviceId, dateOf(action), cancellationSignal());
          if (now.units === action.to) return appliedResult(action, { before: action.from, after: now.units, adjustmentId, appliedEarlier: adjustmentId === null, unitPrice: now.unitPrice });
          const named = adjustmentId === null ? 'an adjustment Autotask accepted without naming it' : `adjustment ${adjustmentId}`;
          throw new IntegrationError('autotask', adjustmentId === null ? 'adjustment_unconfirmed' : 'adjustment_not_applied', `${named} (${where(action)}, ${action.from} → ${action.to} from ${dateOf(action)}) was posted by an earlier attempt of this run, but the units read ${now.units}: check ${where(action)} in Autotask; the sync will not post again in this run`, adjustmentId === null ? {} : { adjustmentId });
        });
      /**
       * An earlier run's adjustment to this pair never read back. Posting the difference again
       * would count it twice once it lands (issue 13: eight runs, +10 each, 80 units), so the
       * pair waits: once its units show what that adjustment aimed at, it is settled and this run
       * writes as usual; until then nothing is posted and the service says why, on every run,
       * until the MSP abandons the adjustment (api/routes/pending-adjustments.ts).
       */
      const afterPending = (action: UnitAction, earlier: PendingAdjustment) =>
        guarded(action, async () => {
          const named = earlier.adjustmentId === null ? 'An adjustment Autotask accepted without naming it' : `Adjustment ${earlier.adjustmentId}`;
          const now = await (await autotask()).serviceUnits(contractOf(action), action.serviceId, earlier.effectiveDate, cancellationSignal());
          if (now.units !== earlier.target) {
            // Unnamed by Autotask, it is abandoned by its claim's own id (listed under GET …/pending-adjustments).
            const resolve = `if it is not there, abandon it (POST …/pending-adjustments/${earlier.adjustmentId ?? earlier.id}/abandon) and the next sync posts afresh; if it shows up, the next sync continues from there`;
            throw new IntegrationError('autotask', earlier.adjustmentId === null ? 'adjustment_unconfirmed' : 'adjustment_not_applied', `${named} posted by an earlier sync on ${earlier.postedAt.toISOString().slice(0, 10)} (${where(action)}, to ${earlier.target} units from ${earlier.effectiveDate}) still does not show: the units read ${now.units}. Nothing was posted, so it cannot count twice — check ${where(action)} in Autotask: ${resolve}`, earlier.adjustmentId === null ? {} : { adjustmentId: earlier.adjustmentId });
          }
          await settlePendingAdjustments(deps.db, input.partnerId, input.runId, contractOf(action), action.serviceId);
          // Read afresh below (not trusted): the units changed since the run planned.
          return apply(action, claims.get(keyOf(action))?.attempts ?? 1, `${earlier.adjustmentId === null ? 'the unnamed adjustment' : `adjustment ${earlier.adjustmentId}`} from an earlier sync has now applied`);
        });

      const results: ProductResult[] = [];
      for (const [i, action] of plan.actions.entries()) {
        const claim = claims.get(keyOf(action));
        const known = withoutWrites[i] ?? savedOf(action);
        if (known) {
          results.push(known);
          continue;
        }
        let result: ProductResult;
        if (claim?.heldBy) {
          // The database holds one adjustment per (run, contract, service): another company of this run has this pair.
          result = failedResult(action, 'UnitWriteClaimed', `${action.serviceName}: ${where(action)} was already written in this run for company ${claim.heldBy}; it is not written twice`);
        } else if (claim?.postedAt) {
          result = await reconfirm(action, claim.adjustmentId);
        } else {
          const earlier = pending.get(keyOf(action));
          result = earlier ? await afterPending(action, earlier) : await apply(action, claim?.attempts ?? 1);
        }
        results.push(result);
        // A later write may still fail: saved, this one is skipped when the company is retried.
        if (action !== writes.at(-1) && !claim?.heldBy) await saveUnitWriteResult(deps.db, input.runId, contractOf(action), action.serviceId, result);
      }
      return finish(companyOutcome(plan, results, input.dryRun));
    },

    /**
     * When the run cannot even plan (credentials rejected, Password Boss refusing the service),
     * every company it would have synced gets the reason, so the status column says what to fix.
     */
    async failCompanies(input: { runId: string; partnerId: string; companyIds?: string[] | undefined; errorType: string; detail: string }) {
      const companies = await listMappedCompanies(deps.db, input.partnerId, input.companyIds);
      const detail = settledDetail(input.detail);
      await deps.db.transaction(async (tx) => {
        for (const c of companies) {
          await tx.insert(syncResults).values({ runId: input.runId, partnerId: input.partnerId, pbCompanyId: c.pbCompanyId, productId: '', autotaskContractId: c.autotaskContractId, action: 'none', status: 'error', errorType: input.errorType, detail }).onConflictDoNothing();
          await setCompanyOutcome(tx, input.partnerId, c.pbCompanyId, { status: 'error', detail, lastSyncAt: deps.now(), lastRunId: input.runId });
        }
        await updateRun(tx, input.runId, { total: companies.length });
      });
      return { companies: companies.length };
    },

    /**
     * A company's outcome decided by a workflow: one whose writes gave up, or one another run was
     * syncing. Writes this run confirmed before giving up stay confirmed and counted (read from
     * their claims: the workflow cannot know them); a company found busy keeps the status and
     * detail the run that holds it records.
     */
    async recordCompanyResult(input: RecordCompanyResultInput) {
      // Recorded after the retries gave up: a message promising one is no longer true.
      const settled = { ...input, detail: settledDetail(input.detail), results: input.results.map((r) => ({ ...r, detail: settledDetail(r.detail) })) };
      const record = settled.results.some((r) => r.status === 'error' && r.serviceId !== null) ? await withClaimedWrites(settled) : settled;
      await recordOutcome({ ...record, keepCompanyStatus: input.status === 'skipped' });
      return { status: record.status };
    },
  };
}

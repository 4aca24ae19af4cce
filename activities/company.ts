/** The per-company steps: read the run's plan pages, apply a company's plan, record outcomes. */
import { ApplicationFailure, cancellationSignal, log } from '@temporalio/activity';
import { listMappedCompanies, setCompanyOutcome } from '../db/repositories/company-mappings.ts';
import { recordLedgerWrite } from '../db/repositories/billing-ledger.ts';
import { recordCompanyOutcome, type CompanyOutcomeRecord } from '../db/repositories/company-outcomes.ts';
import { claimUnitWrites, saveUnitWriteResult } from '../db/repositories/unit-writes.ts';
import { listRunCompanyPage } from '../db/repositories/run-companies.ts';
import { updateRun } from '../db/repositories/sync-runs.ts';
import { syncResults } from '../db/schema.ts';
import type { AutotaskClient } from '../integrations/autotask/client.ts';
import { setUnits } from '../integrations/autotask/set-units.ts';
import { appliedResult, companyOutcome, failedResult, resultWithoutWrite, syncResultOf, type CompanySyncResult } from '../sync/company-outcome.ts';
import { productResultSchema, type CompanyPlan, type ProductResult, type UnitAction } from '../sync/records.ts';
import { autotaskForPartner } from '../deps/autotask-for-partner.ts';
import { toApplicationFailure } from './failures.ts';
import type { Deps } from '../deps/deps.ts';

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
  /** Records a company's outcome once (a repeat by an activity retry changes nothing). */
  async function recordOutcome(input: RecordCompanyResultInput): Promise<void> {
    // A company skipped or failed before any action still gets one row, so its result is listed.
    const rows = input.results.length ? input.results : [{ productId: '', serviceId: null, action: 'none', status: input.status, unitsBefore: null, unitsAfter: null, adjustmentId: null, errorType: null, detail: input.detail }];
    await recordCompanyOutcome(deps.db, { ...input, rows, at: deps.now() });
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
      // The company's own date (rule 7: a contract starting mid-period bills from its start);
      // plans made before it existed carry none and use the run's.
      const effectiveDate = plan.effectiveDate ?? input.effectiveDate;
      const contractOf = (action: UnitAction) => action.contractId ?? plan.contractId;
      const withoutWrites = plan.actions.map((a) => resultWithoutWrite(a, input.dryRun));
      const writes = plan.actions.filter((_, i) => withoutWrites[i] === undefined);
      // Claims are per (run, company, service), but a company that moved contracts may zero a
      // service on its old contract and set the same service on its new one: the writes on
      // another contract are claimed under a key that names that contract.
      const claimKey = (contractId: number) => (contractId === plan.contractId ? plan.pbCompanyId : `${plan.pbCompanyId}@contract-${contractId}`);
      const claims = new Map<string, Awaited<ReturnType<typeof claimUnitWrites>>>();
      for (const contractId of new Set(writes.map(contractOf))) {
        const key = claimKey(contractId);
        claims.set(key, await claimUnitWrites(deps.db, input.runId, key, writes.filter((a) => contractOf(a) === contractId).map((a) => a.serviceId)));
      }
      let client: Promise<AutotaskClient> | undefined;
      const apply = async (action: UnitAction, trusted: boolean): Promise<ProductResult> => {
        const contractId = contractOf(action);
        let result: ProductResult;
        try {
          client ??= autotaskForPartner(deps, input.partnerId);
          const done = await setUnits(
            await client,
            { contractId, serviceId: action.serviceId, effectiveDate, target: action.to, ...(trusted ? { knownCurrent: action.from } : {}) },
            cancellationSignal()
          );
          // A retry that finds the target in place: report the change as the run's own, from the planned value.
          const appliedEarlier = !trusted && done.adjustmentId === null && action.from !== action.to && done.before === action.to;
          result = appliedResult(action, { before: appliedEarlier ? action.from : done.before, after: done.after, adjustmentId: done.adjustmentId, appliedEarlier, unitPrice: done.unitPrice });
        } catch (err) {
          const failure = toApplicationFailure(err);
          if (!(failure instanceof ApplicationFailure) || !failure.nonRetryable) throw failure;
          log.warn('setting units failed', { pbCompanyId: plan.pbCompanyId, serviceId: action.serviceId, type: failure.type });
          return failedResult(action, failure.type ?? 'Unknown', failure.message);
        }
        // Autotask confirmed the units: the pair is this company's now (rule 8b), and any release
        // pending on it is settled. Recorded before the claim's result, so a retry that skips the
        // write has recorded it already; recording it again changes nothing.
        await recordLedgerWrite(deps.db, input.partnerId, { runId: input.runId, contractId, serviceId: action.serviceId, effectiveDate, units: result.unitsAfter!, pbCompanyId: plan.pbCompanyId, productIds: action.productIds, reason: action.reason });
        return result;
      };
      const results: ProductResult[] = [];
      for (const [i, action] of plan.actions.entries()) {
        const claim = claims.get(claimKey(contractOf(action)))?.get(action.serviceId);
        const saved = productResultSchema.safeParse(claim?.result);
        const known = withoutWrites[i] ?? (saved.success ? saved.data : undefined);
        if (known) {
          results.push(known);
          continue;
        }
        const result = await apply(action, claim?.attempts === 1);
        results.push(result);
        // A later write may still fail: saved, this one is skipped when the company is retried.
        if (action !== writes.at(-1)) await saveUnitWriteResult(deps.db, input.runId, claimKey(contractOf(action)), action.serviceId, result);
      }
      const outcome = companyOutcome(plan, results, input.dryRun);
      await recordOutcome({ runId: input.runId, partnerId: input.partnerId, pbCompanyId: plan.pbCompanyId, contractId: plan.contractId, dryRun: input.dryRun, ...outcome });
      return syncResultOf(plan, outcome);
    },

    /**
     * When the run cannot even plan (credentials rejected, Password Boss refusing the service),
     * every company it would have synced gets the reason, so the status column says what to fix.
     */
    async failCompanies(input: { runId: string; partnerId: string; companyIds?: string[] | undefined; errorType: string; detail: string }) {
      const companies = await listMappedCompanies(deps.db, input.partnerId, input.companyIds);
      await deps.db.transaction(async (tx) => {
        for (const c of companies) {
          await tx.insert(syncResults).values({ runId: input.runId, partnerId: input.partnerId, pbCompanyId: c.pbCompanyId, productId: '', autotaskContractId: c.autotaskContractId, action: 'none', status: 'error', errorType: input.errorType, detail: input.detail }).onConflictDoNothing();
          await setCompanyOutcome(tx, input.partnerId, c.pbCompanyId, { status: 'error', detail: input.detail, lastSyncAt: deps.now(), lastRunId: input.runId });
        }
        await updateRun(tx, input.runId, { total: companies.length });
      });
      return { companies: companies.length };
    },

    /** A company's outcome decided by a workflow (a company that could not be synced). */
    async recordCompanyResult(input: RecordCompanyResultInput) {
      await recordOutcome(input);
      return { status: input.status };
    },
  };
}

/** The per-company steps: read the run's plan pages, apply a company's plan, record outcomes. */
import { ApplicationFailure, activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { z } from 'zod';
import { listMappedCompanies, setCompanyOutcome } from '../db/repositories/company-mappings.ts';
import { listRunCompanyPage } from '../db/repositories/run-companies.ts';
import { addRunProgress, updateRun } from '../db/repositories/sync-runs.ts';
import { companyStatuses, syncResults, type CompanyStatus } from '../db/schema.ts';
import type { AutotaskClient } from '../integrations/autotask/client.ts';
import { setUnits } from '../integrations/autotask/set-units.ts';
import { appliedResult, companyOutcome, failedResult, resultWithoutWrite, syncResultOf, type CompanySyncResult, type ProductResult } from '../sync/company-outcome.ts';
import type { CompanyPlan, UnitAction } from '../sync/plan.ts';
import { autotaskForPartner } from './autotask-for-partner.ts';
import { toApplicationFailure } from './failures.ts';
import type { ActivityDeps } from './index.ts';

export interface ApplyCompanyPlanInput {
  partnerId: string;
  runId: string;
  effectiveDate: string;
  dryRun: boolean;
  plan: CompanyPlan;
}

export interface RecordCompanyResultInput {
  runId: string;
  partnerId: string;
  pbCompanyId: string;
  contractId: number | null;
  dryRun: boolean;
  status: CompanyStatus;
  detail: string | null;
  results: ProductResult[];
  unitsChanged: number;
  adjustments: number;
}

/** Heartbeat details: the results of the actions an attempt finished, for the next attempt. */
const finishedResultsSchema: z.ZodType<ProductResult[]> = z.array(z.object({
  productId: z.string(),
  serviceId: z.number().int().nullable(),
  action: z.string(),
  status: z.enum(companyStatuses),
  unitsBefore: z.number().int().nullable(),
  unitsAfter: z.number().int().nullable(),
  adjustmentId: z.number().int().nullable(),
  errorType: z.string().nullable(),
  detail: z.string().nullable(),
}));

export function createCompanyActivities(deps: ActivityDeps) {
  /**
   * Records a company's outcome once: the result rows, the company's status, and the run's
   * counters move together in one transaction, and a repeat (activity retry) changes nothing.
   */
  async function recordOutcome(input: RecordCompanyResultInput): Promise<void> {
    const rows = input.results.length ? input.results : [{ productId: '', serviceId: null, action: 'none', status: input.status, unitsBefore: null, unitsAfter: null, adjustmentId: null, errorType: null, detail: input.detail }];
    await deps.db.transaction(async (tx) => {
      const inserted = await tx
        .insert(syncResults)
        .values(rows.map((r) => ({
          runId: input.runId,
          partnerId: input.partnerId,
          pbCompanyId: input.pbCompanyId,
          productId: r.productId,
          autotaskContractId: input.contractId,
          autotaskServiceId: r.serviceId,
          action: r.action,
          status: r.status,
          unitsBefore: r.unitsBefore,
          unitsAfter: r.unitsAfter,
          adjustmentId: r.adjustmentId,
          errorType: r.errorType,
          detail: r.detail,
        })))
        .onConflictDoNothing()
        .returning({ id: syncResults.id });
      if (inserted.length === 0) return; // recorded by an earlier attempt
      const failed = input.status === 'error' ? 1 : 0;
      await addRunProgress(tx, input.runId, { done: 1, failed, unitsChanged: input.unitsChanged, adjustments: input.adjustments });
      if (!input.dryRun) {
        await setCompanyOutcome(tx, input.partnerId, input.pbCompanyId, { status: input.status, detail: input.detail, lastSyncAt: deps.now(), lastRunId: input.runId });
      }
    });
  }

  return {
    /** A page of the run's companies, in plan order, for the parent to fan out. */
    async listRunCompanies(input: { runId: string; afterPosition: number; limit: number }) {
      const rows = await listRunCompanyPage(deps.db, input.runId, input.afterPosition, input.limit);
      return rows.map((r) => ({ position: r.position, plan: r.plan }));
    },

    /**
     * A company's whole part of the run in one activity: each action through Autotask's
     * read → adjust the difference → confirm, then the outcome recorded. One activity per company
     * instead of one per write plus one to record halves what Temporal does per company.
     *
     * Retry-safe: only the first attempt trusts the run's batched read of the units; a retry
     * re-reads before it writes, since an earlier write may have landed with its answer lost.
     * Finished actions travel in the heartbeat details, so a retry resumes after them. Autotask's
     * permanent refusals become that action's error and the company's other actions still run;
     * anything transient fails the attempt, to be retried (a 429 after the server's Retry-After).
     */
    async applyCompanyPlan(input: ApplyCompanyPlanInput): Promise<CompanySyncResult> {
      const { plan } = input;
      const info = activityInfo();
      const firstAttempt = info.attempt === 1;
      const carried = firstAttempt ? undefined : finishedResultsSchema.safeParse(info.heartbeatDetails);
      const results: ProductResult[] = carried?.success ? carried.data.slice(0, plan.actions.length) : [];
      // The server's heartbeat timer runs from the start, so a crashed worker's attempt is retried
      // within the heartbeat timeout without a first beat; an attempt kept waiting beats.
      const beat = setInterval(() => heartbeat(results), 3_000);
      let client: Promise<AutotaskClient> | undefined;
      const apply = async (action: UnitAction): Promise<ProductResult> => {
        try {
          client ??= autotaskForPartner(deps, input.partnerId);
          const done = await setUnits(
            await client,
            { contractId: plan.contractId, serviceId: action.serviceId, effectiveDate: input.effectiveDate, target: action.to, ...(firstAttempt ? { knownCurrent: action.from } : {}) },
            cancellationSignal()
          );
          // A retry that finds the target in place: report the change as the run's own, from the planned value.
          const appliedEarlier = !firstAttempt && done.adjustmentId === null && action.from !== action.to && done.before === action.to;
          return appliedResult(action, { before: appliedEarlier ? action.from : done.before, after: done.after, adjustmentId: done.adjustmentId, appliedEarlier });
        } catch (err) {
          const failure = toApplicationFailure(err);
          if (!(failure instanceof ApplicationFailure) || !failure.nonRetryable) throw failure;
          log.warn('setting units failed', { pbCompanyId: plan.pbCompanyId, serviceId: action.serviceId, type: failure.type });
          return failedResult(action, failure.type ?? 'Unknown', failure.message);
        }
      };
      try {
        for (const action of plan.actions.slice(results.length)) {
          results.push(resultWithoutWrite(action, input.dryRun) ?? (await apply(action)));
          if (results.length < plan.actions.length && results.at(-1)!.action === 'set') heartbeat(results);
        }
        const outcome = companyOutcome(plan, results, input.dryRun);
        await recordOutcome({ runId: input.runId, partnerId: input.partnerId, pbCompanyId: plan.pbCompanyId, contractId: plan.contractId, dryRun: input.dryRun, ...outcome });
        return syncResultOf(plan, outcome);
      } catch (err) {
        heartbeat(results); // a retry neither writes nor reads again for what is done
        throw err;
      } finally {
        clearInterval(beat);
      }
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

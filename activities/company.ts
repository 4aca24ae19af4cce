/** The per-company steps: read its plan, set units on Autotask, record the outcome. */
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { listMappedCompanies, setCompanyOutcome } from '../db/repositories/company-mappings.ts';
import { listRunCompanyPage } from '../db/repositories/run-companies.ts';
import { addRunProgress, updateRun } from '../db/repositories/sync-runs.ts';
import { syncResults, type CompanyStatus } from '../db/schema.ts';
import { setUnits } from '../integrations/autotask/set-units.ts';
import { autotaskForPartner } from './autotask-for-partner.ts';
import { classified } from './failures.ts';
import type { ActivityDeps } from './index.ts';

export interface SetContractServiceUnitsInput {
  partnerId: string;
  contractId: number;
  serviceId: number;
  effectiveDate: string;
  target: number;
  /** From the run's batched read; trusted on the first attempt only. */
  knownCurrent: number;
}

export interface ProductResult {
  productId: string;
  serviceId: number | null;
  action: string;
  status: CompanyStatus;
  unitsBefore: number | null;
  unitsAfter: number | null;
  adjustmentId: number | null;
  errorType: string | null;
  detail: string | null;
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

export function createCompanyActivities(deps: ActivityDeps) {
  return {
    /** A page of the run's companies, in plan order, for the parent to fan out. */
    async listRunCompanies(input: { runId: string; afterPosition: number; limit: number }) {
      const rows = await listRunCompanyPage(deps.db, input.runId, input.afterPosition, input.limit);
      return rows.map((r) => ({ position: r.position, plan: r.plan }));
    },

    /**
     * Read → adjust the difference → confirm. Only the first attempt trusts the batched read:
     * any retry may follow a write whose answer was lost, so it re-reads before it writes.
     */
    async setContractServiceUnits(input: SetContractServiceUnitsInput) {
      return classified(async () => {
        // The server's heartbeat timer runs from the start, so a crashed worker's attempt is retried
        // within the heartbeat timeout without a first beat; one per company would cost the server
        // a write each. An attempt kept waiting for Autotask (rate limits, a long queue) beats.
        const beat = setInterval(() => heartbeat('waiting for Autotask'), 3_000);
        try {
          const client = await autotaskForPartner(deps, input.partnerId);
          const firstAttempt = activityInfo().attempt === 1;
          const result = await setUnits(
            client,
            { contractId: input.contractId, serviceId: input.serviceId, effectiveDate: input.effectiveDate, target: input.target, ...(firstAttempt ? { knownCurrent: input.knownCurrent } : {}) },
            cancellationSignal()
          );
          // A retry that finds the target already in place: an earlier attempt's write landed
          // but its answer was lost. Report the change as the run's own, from the planned value.
          const appliedEarlier = !firstAttempt && result.adjustmentId === null && input.knownCurrent !== input.target && result.before === input.target;
          return { before: appliedEarlier ? input.knownCurrent : result.before, after: result.after, adjustmentId: result.adjustmentId, appliedEarlier };
        } finally {
          clearInterval(beat);
        }
      });
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

    /**
     * Records a company's outcome once: the result rows, the company's status, and the run's
     * counters move together in one transaction, and a repeat (activity retry) changes nothing.
     */
    async recordCompanyResult(input: RecordCompanyResultInput) {
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
      return { status: input.status };
    },
  };
}

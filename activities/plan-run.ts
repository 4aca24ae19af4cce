/**
 * Plans a run with as few external calls as possible: one Password Boss call for every
 * company's month-end counts; the contracts from the cache of earlier runs, brought current with
 * Autotask's modified-since (activities/current-contracts.ts); batched Autotask reads (500
 * contracts a query) for the units in force, one read per distinct effective date (usually one). The
 * ownership ledger decides what moved or was released (sync/run-plan.ts). The plan is made and
 * stored a slice of companies at a time (activities/plan-slices.ts).
 */
import { setMaxListeners } from 'node:events';
import { heartbeat, cancellationSignal } from '@temporalio/activity';
import { findSettings } from '../db/repositories/autotask-settings.ts';
import { listHandovers, listOwnedPairs, recordLedgerWrites } from '../db/repositories/billing-ledger.ts';
import { listCompanyStates, markCompaniesSyncing } from '../db/repositories/company-mappings.ts';
import { recordCompanyOutcome } from '../db/repositories/company-outcomes.ts';
import { listPendingReleases } from '../db/repositories/pending-releases.ts';
import { listProductMappings } from '../db/repositories/product-mappings.ts';
import { updateRun } from '../db/repositories/sync-runs.ts';
import { heldSummary } from '../sync/approval.ts';
import { addMonths, effectiveDateFor, expectedFinalMonth } from '../sync/billing-month.ts';
import type { PlanCount } from '../sync/plan.ts';
import { autotaskForPartner } from '../deps/autotask-for-partner.ts';
import { classified } from './failures.ts';
import { currentContracts } from './current-contracts.ts';
import { planAndStoreInSlices } from './plan-slices.ts';
import type { Deps } from '../deps/deps.ts';

export interface PlanRunInput {
  partnerId: string;
  runId: string;
  dryRun: boolean;
  companyIds?: string[] | undefined;
  timezone: string;
}

export type PlanRunResult =
  | { state: 'planned'; billingMonth: string; effectiveDate: string; total: number; detail: string | null }
  | { state: 'nothing_to_do'; detail: string; billingMonth: string | null };

export function createPlanRunActivities(deps: Deps) {
  return {
    async planRun(input: PlanRunInput): Promise<PlanRunResult> {
      return classified(async () => {
        const signal = cancellationSignal();
        // Every batched read below listens on this one signal; dozens at once are expected.
        setMaxListeners(1_000, signal);
        heartbeat('loading mappings');
        const [settings, productRows, companies, owned, releases] = await Promise.all([
          findSettings(deps.db, input.partnerId),
          listProductMappings(deps.db, input.partnerId),
          listCompanyStates(deps.db, input.partnerId),
          listOwnedPairs(deps.db, input.partnerId),
          listPendingReleases(deps.db, input.partnerId),
        ]);
        const scope = input.companyIds ? new Set(input.companyIds) : undefined;
        const mapped = companies.filter((c) => c.contractId !== null && !c.excluded && (!scope || scope.has(c.pbCompanyId)));
        // With no company mapped, only a release the MSP asked for can still have work to do.
        if (mapped.length === 0 && !releases.some((r) => !scope || scope.has(r.pbCompanyId))) {
          return { state: 'nothing_to_do', billingMonth: null, detail: input.companyIds ? 'None of the requested companies is mapped to an Autotask contract' : 'No company is mapped to an Autotask contract yet — map companies under Company mapping' };
        }
        heartbeat('reading Password Boss counts');
        const counts = await deps.passwordboss.monthEndCounts(input.partnerId, {}, signal);
        if (!counts.final) return { state: 'nothing_to_do', billingMonth: counts.month, detail: `${counts.reason}; nothing was changed` };
        const billingMonth = counts.counts.month;
        const effectiveDate = effectiveDateFor(billingMonth);
        const expected = expectedFinalMonth(deps.now(), input.timezone);
        const lagging = billingMonth < expected ? `Password Boss has not finalised ${expected} yet; synced ${billingMonth} (effective ${effectiveDate})` : null;

        const autotask = await autotaskForPartner(deps, input.partnerId);
        // The contracts owned pairs sit on are nearly always the mapped ones: still one batched read.
        const contractIds = [...new Set([...mapped.map((m) => m.contractId!), ...owned.map((p) => p.contractId)])];
        heartbeat('reading Autotask contracts');
        const [current, handovers] = await Promise.all([
          currentContracts(deps.db, autotask, input.partnerId, settings?.username ?? '', contractIds, signal),
          listHandovers(deps.db, input.partnerId, effectiveDate, `${addMonths(effectiveDate.slice(0, 7), 1)}-01`),
        ]);
        const countsByCompany = new Map<string, PlanCount[]>();
        for (const c of counts.counts.items) {
          const list = countsByCompany.get(c.companyId) ?? [];
          list.push(c);
          countsByCompany.set(c.companyId, list);
        }
        const runInput = {
          periodStart: effectiveDate,
          countBasis: settings?.countBasis ?? 'users',
          products: productRows,
          companies,
          scope,
          owned,
          pendingReleases: releases,
          handovers,
        } as const;
        const { total, adoptions, held } = await planAndStoreInSlices({ db: deps.db, autotask, partnerId: input.partnerId, runId: input.runId, dryRun: input.dryRun, signal }, runInput, current, countsByCompany);
        if (total === 0) {
          return { state: 'nothing_to_do', billingMonth, detail: input.companyIds ? 'None of the requested companies is mapped to an Autotask contract' : 'No company is mapped to an Autotask contract yet — map companies under Company mapping' };
        }
        // A pair already right needs no write, so no confirmation will record who owns it: the
        // read just made confirms it. A dry run records nothing.
        if (!input.dryRun) await recordLedgerWrites(deps.db, input.partnerId, adoptions.map((a) => ({ ...a, runId: input.runId })));
        const detail = [lagging, heldSummary(held.length, input.dryRun)].filter((d) => d !== null).join('; ') || null;
        await updateRun(deps.db, input.runId, { billingMonth, effectiveDate, total, detail });
        // A held company is not syncing: marking it would leave it so if this step were retried
        // after its outcome was recorded (recorded once; a retry changes nothing).
        const heldIds = new Set(held.map((h) => h.plan.pbCompanyId));
        if (!input.dryRun) await markCompaniesSyncing(deps.db, input.partnerId, mapped.map((m) => m.pbCompanyId).filter((id) => !heldIds.has(id)));
        for (const h of held) {
          await recordCompanyOutcome(deps.db, { runId: input.runId, partnerId: input.partnerId, pbCompanyId: h.plan.pbCompanyId, contractId: h.plan.contractId, dryRun: input.dryRun, ...h.outcome, rows: h.outcome.results, at: deps.now() });
        }
        return { state: 'planned', billingMonth, effectiveDate, total, detail };
      });
    },
  };
}

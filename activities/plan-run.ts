/**
 * Plans a run with as few external calls as possible: one Password Boss call for every
 * company's month-end counts; the contracts from the cache of earlier runs, brought current with
 * Autotask's modified-since (activities/current-contracts.ts); batched Autotask reads (500
 * contracts a query) for the units in force, one read per distinct effective date (usually one). The
 * ownership ledger decides what moved or was released (sync/run-plan.ts). The plan is stored
 * per company.
 */
import { setMaxListeners } from 'node:events';
import { heartbeat, cancellationSignal } from '@temporalio/activity';
import { findSettings } from '../db/repositories/autotask-settings.ts';
import { listHandovers, listOwnedPairs, recordLedgerWrites } from '../db/repositories/billing-ledger.ts';
import { listCompanyStates, markCompaniesSyncing } from '../db/repositories/company-mappings.ts';
import { listPendingReleases } from '../db/repositories/pending-releases.ts';
import { listProductMappings } from '../db/repositories/product-mappings.ts';
import { storeRunPlan } from '../db/repositories/run-companies.ts';
import { findPendingAdjustments, pairKey } from '../db/repositories/unit-writes.ts';
import { updateRun } from '../db/repositories/sync-runs.ts';
import { addMonths, effectiveDateFor, expectedFinalMonth } from '../sync/billing-month.ts';
import type { PlanCount } from '../sync/plan.ts';
import { planRun, unitReads, unitsKey, type RunPlanInput, type UnitRead } from '../sync/run-plan.ts';
import { autotaskForPartner } from '../deps/autotask-for-partner.ts';
import { classified } from './failures.ts';
import { currentContracts, recheckWritten } from './current-contracts.ts';
import type { CachedContract } from '../db/repositories/contract-cache.ts';
import type { Deps } from '../deps/deps.ts';
import type { Db } from '../db/client.ts';
import type { CompanyPlan } from '../sync/records.ts';
import { findApprovalSettings, findUsableGrants, useGrants } from '../db/repositories/approval.ts';
import { recordCompanyOutcome } from '../db/repositories/company-outcomes.ts';
import { guardrailBreach, heldOutcome, heldSummary, splitByGuardrails, wouldHoldOutcome } from '../sync/approval.ts';
import type { CompanyOutcome } from '../sync/company-outcome.ts';

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
        const planWith = async (contracts: ReadonlyMap<number, CachedContract>) => {
          const runInput: RunPlanInput = {
            periodStart: effectiveDate,
            countBasis: settings?.countBasis ?? 'users',
            products: productRows,
            companies,
            scope,
            owned,
            pendingReleases: releases,
            handovers,
            contracts,
          };
          const prep = unitReads(runInput);
          heartbeat('reading Autotask units');
          const units = new Map<string, Map<number, UnitRead>>();
          const [serviceRows] = await Promise.all([
            // Only a service zeroed after no product maps it any more needs its name looked up.
            prep.unnamedServices.size ? autotask.servicesByIds([...prep.unnamedServices], signal) : Promise.resolve([]),
            ...[...prep.reads].map(async ([date, ids]) => {
              for (const row of (await autotask.unitsAt([...ids], date, signal)).values()) {
                const key = unitsKey(date, row.contractID);
                units.set(key, (units.get(key) ?? new Map<number, UnitRead>()).set(row.serviceID, { units: row.units, unitPrice: row.unitPrice }));
              }
            }),
          ]);
          heartbeat('planning');
          return planRun(runInput, prep, { counts: countsByCompany, units, serviceNames: new Map(serviceRows.map((s) => [s.id, s.name])) });
        };
        let planned = await planWith(current.contracts);
        // A contract taken from the cache is read again before the plan may write to it; if it
        // changed, the run plans again with it (rare: Autotask changed it without stamping it).
        for (let tries = 1; (await recheckWritten(deps.db, autotask, input.partnerId, current, planned.plans, signal)) > 0; tries++) {
          if (tries === 3) throw new Error('Autotask contracts kept changing while the run was planning; the run plans again shortly');
          planned = await planWith(current.contracts);
        }
        const { plans, adoptions } = planned;
        if (plans.length === 0) {
          return { state: 'nothing_to_do', billingMonth, detail: input.companyIds ? 'None of the requested companies is mapped to an Autotask contract' : 'No company is mapped to an Autotask contract yet — map companies under Company mapping' };
        }
        if (!input.dryRun) await markAwaitedAdjustments(deps.db, input.partnerId, input.runId, plans);
        // Review mode (issue 17): a change beyond a guardrail is held, not handed to the write path;
        // a dry run records it as Apply would hold it, so the preview shows what waits.
        const { toWrite, held } = await holdBeyondGuardrails(deps.db, input, plans);
        await storeRunPlan(deps.db, input.runId, toWrite);
        // A pair already right needs no write, so no confirmation will record who owns it: the
        // read just made confirms it. A dry run records nothing.
        if (!input.dryRun) await recordLedgerWrites(deps.db, input.partnerId, adoptions.map((a) => ({ ...a, runId: input.runId })));
        const detail = [lagging, heldSummary(held.length, input.dryRun)].filter((d) => d !== null).join('; ') || null;
        await updateRun(deps.db, input.runId, { billingMonth, effectiveDate, total: plans.length, detail });
        // A held company is not syncing: marking it would leave it so if this step were retried
        // after its outcome was recorded (recorded once; a retry changes nothing).
        const heldIds = new Set(held.map((h) => h.plan.pbCompanyId));
        if (!input.dryRun) await markCompaniesSyncing(deps.db, input.partnerId, mapped.map((m) => m.pbCompanyId).filter((id) => !heldIds.has(id)));
        for (const h of held) {
          await recordCompanyOutcome(deps.db, { runId: input.runId, partnerId: input.partnerId, pbCompanyId: h.plan.pbCompanyId, contractId: h.plan.contractId, dryRun: input.dryRun, ...h.outcome, rows: h.outcome.results, at: deps.now() });
        }
        return { state: 'planned', billingMonth, effectiveDate, total: plans.length, detail };
      });
    },
  };
}

/**
 * Splits a run's plans into those to write and those held (sync/approval.ts). A company the MSP
 * approved is written past the guardrails only while its changes are exactly the approved ones
 * (an approval grant, written only by the approve endpoint); a real run then uses the grant up,
 * a dry run only looks at it.
 */
async function holdBeyondGuardrails(db: Db, run: Pick<PlanRunInput, 'partnerId' | 'runId' | 'dryRun'>, plans: CompanyPlan[]): Promise<{ toWrite: CompanyPlan[]; held: Array<{ plan: CompanyPlan; outcome: CompanyOutcome }> }> {
  const settings = await findApprovalSettings(db, run.partnerId);
  const beyond = plans.filter((plan) => guardrailBreach(plan, settings) !== null);
  if (beyond.length === 0) return { toWrite: plans, held: [] };
  const grants = await findUsableGrants(db, run.partnerId, run.runId, beyond.map((plan) => plan.pbCompanyId));
  const split = splitByGuardrails(plans, settings, grants);
  if (!run.dryRun) await useGrants(db, run.runId, split.usedGrantIds);
  const outcome = (plan: CompanyPlan, breach: string) => (run.dryRun ? wouldHoldOutcome(plan, breach, settings) : heldOutcome(plan, breach));
  return { toWrite: split.toWrite, held: split.held.map(({ plan, breach }) => ({ plan, outcome: outcome(plan, breach) })) };
}

/**
 * A pair already right by the run's read that still waits for an earlier run's adjustment is not
 * "unchanged": the adjustment may land on top. Marked, so the company's write path reports it on
 * every run until it shows or the MSP abandons it (docs/design.md rule 8).
 */
async function markAwaitedAdjustments(db: Db, partnerId: string, runId: string, plans: CompanyPlan[]): Promise<void> {
  const settled = plans.flatMap((p) => p.actions.filter((a) => a.from === a.to).map((a) => ({ plan: p, action: a, contractId: a.contractId ?? p.contractId })));
  if (settled.length === 0) return;
  const pending = await findPendingAdjustments(db, partnerId, runId, settled.map((s) => ({ contractId: s.contractId, serviceId: s.action.serviceId })));
  for (const s of settled) if (pending.has(pairKey(s.contractId, s.action.serviceId))) s.action.awaitsAdjustment = true;
}

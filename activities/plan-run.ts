/**
 * Plans a run with as few external calls as possible: one Password Boss call for every
 * company's month-end counts, and batched Autotask reads (500 contracts a query) for the
 * contracts and the units in force on the effective date. The plan is stored per company.
 */
import { setMaxListeners } from 'node:events';
import { heartbeat, cancellationSignal } from '@temporalio/activity';
import { findSettings } from '../db/repositories/autotask-settings.ts';
import { listMappedCompanies, markCompaniesSyncing } from '../db/repositories/company-mappings.ts';
import { listProductMappings } from '../db/repositories/product-mappings.ts';
import { storeRunPlan } from '../db/repositories/run-companies.ts';
import { updateRun } from '../db/repositories/sync-runs.ts';
import { effectiveDateFor, expectedFinalMonth } from '../sync/billing-month.ts';
import { planCompany, type PlanCount, type ProductService } from '../sync/plan.ts';
import type { CompanyPlan } from '../sync/records.ts';
import { autotaskForPartner } from '../deps/autotask-for-partner.ts';
import { classified } from './failures.ts';
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
        const [settings, productRows, mapped] = await Promise.all([
          findSettings(deps.db, input.partnerId),
          listProductMappings(deps.db, input.partnerId),
          listMappedCompanies(deps.db, input.partnerId, input.companyIds),
        ]);
        if (mapped.length === 0) {
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
        const contractIds = mapped.map((m) => m.autotaskContractId!);
        heartbeat('reading Autotask contracts');
        const [contracts, units] = await Promise.all([autotask.contractsByIds(contractIds, signal), autotask.unitsAt(contractIds, effectiveDate, signal)]);
        heartbeat('planning');

        const contractsById = new Map(contracts.map((c) => [c.id, c]));
        const countsByCompany = new Map<string, PlanCount[]>();
        for (const c of counts.counts.items) {
          const list = countsByCompany.get(c.companyId) ?? [];
          list.push(c);
          countsByCompany.set(c.companyId, list);
        }
        const unitsByContract = new Map<number, Map<number, number>>();
        for (const row of units.values()) {
          const m = unitsByContract.get(row.contractID) ?? new Map<number, number>();
          m.set(row.serviceID, row.units);
          unitsByContract.set(row.contractID, m);
        }
        const productServices: ProductService[] = productRows
          .filter((p) => p.autotaskServiceId !== null)
          .map((p) => ({ productId: p.productId, productName: p.productName, serviceId: p.autotaskServiceId!, serviceName: p.autotaskServiceName ?? `Service #${p.autotaskServiceId}` }));
        const partnerInput = {
          effectiveDate,
          countBasis: settings?.countBasis ?? 'users',
          productServices,
          productNames: new Map(productRows.map((p) => [p.productId, p.productName])),
        } as const;
        const plans: CompanyPlan[] = mapped.map((m) =>
          planCompany(partnerInput, {
            pbCompanyId: m.pbCompanyId,
            pbCompanyName: m.pbCompanyName,
            autotaskCompanyId: m.autotaskCompanyId!,
            autotaskContractId: m.autotaskContractId!,
            counts: countsByCompany.get(m.pbCompanyId) ?? [],
            contract: contractsById.get(m.autotaskContractId!),
            currentUnits: unitsByContract.get(m.autotaskContractId!) ?? new Map(),
          })
        );
        await storeRunPlan(deps.db, input.runId, plans);
        await updateRun(deps.db, input.runId, { billingMonth, effectiveDate, total: plans.length, detail: lagging });
        if (!input.dryRun) await markCompaniesSyncing(deps.db, input.partnerId, plans.map((p) => p.pbCompanyId));
        return { state: 'planned', billingMonth, effectiveDate, total: plans.length, detail: lagging };
      });
    },
  };
}

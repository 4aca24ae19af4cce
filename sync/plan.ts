/**
 * The sync plan: from month-end counts, product mappings, a company mapping and the contract's
 * state in Autotask, what to do per company and service — set units from → to, set an old
 * service to 0 after a product switch, nothing, or a problem with a reason an MSP can act on.
 * Pure, so every rule is tested without Autotask or a database.
 */
import { brokenContractRule } from './contract-rules.ts';
import { companyEffectiveDate } from './effective-date.ts';
import type { CompanyPlan, Problem } from './records.ts';
import { MAX_UNITS } from './unit-limits.ts';

export type { CompanyPlan, Problem, ProblemCode, UnitAction, UnitReason } from './records.ts';

export type CountBasis = 'users' | 'licenses';

export interface PlanCount {
  productId: string;
  users: number;
  licenses: number;
}

export interface PlanContract {
  id: number;
  companyID: number;
  contractName: string;
  contractType: number;
  status?: number | null | undefined;
  startDate: string | null;
  endDate: string | null;
  renewedContractID?: number | null;
}

export interface ProductService {
  productId: string;
  productName: string;
  serviceId: number;
  serviceName: string;
}

export interface CompanyPlanInput {
  pbCompanyId: string;
  pbCompanyName: string;
  autotaskCompanyId: number;
  autotaskContractId: number;
  /** This company's month-end counts for the billing month (empty: no users). */
  counts: PlanCount[];
  /** The contract as Autotask has it now; undefined when it no longer exists. */
  contract: PlanContract | undefined;
  /** Units in force on the effective date, by service id (absent: the contract has no such service). */
  currentUnits: ReadonlyMap<number, number>;
}

export interface PartnerPlanInput {
  effectiveDate: string;
  countBasis: CountBasis;
  productServices: ProductService[];
  productNames: ReadonlyMap<string, string>;
  /** Products the MSP chose not to bill (`autotaskServiceId: null`): no warning, unlike a product with no mapping row. */
  notBilledProductIds?: ReadonlySet<string> | undefined;
}

export function planCompany(partner: PartnerPlanInput, company: CompanyPlanInput): CompanyPlan {
  const plan: CompanyPlan = {
    pbCompanyId: company.pbCompanyId,
    pbCompanyName: company.pbCompanyName,
    contractId: company.autotaskContractId,
    contractName: company.contract?.contractName ?? null,
    actions: [],
    problems: [],
  };
  const contractProblem = checkContract(partner.effectiveDate, company);
  if (contractProblem) {
    plan.problems.push(contractProblem);
    return plan;
  }
  const dated = companyEffectiveDate(partner.effectiveDate, company.contract!);
  if (dated.problem) {
    plan.problems.push(dated.problem);
    return plan;
  }
  plan.effectiveDate = dated.effectiveDate;
  const notBilled = partner.notBilledProductIds ?? new Set<string>();
  if (partner.productServices.length === 0 && notBilled.size === 0) {
    plan.problems.push({ severity: 'error', code: 'no_product_mappings', detail: 'No Password Boss product is mapped to an Autotask service yet — map them under Product mappings' });
    return plan;
  }

  const countOf = (c: PlanCount) => (partner.countBasis === 'licenses' ? c.licenses : c.users);
  const byService = new Map<number, { serviceName: string; productIds: string[]; target: number; counted: boolean }>();
  for (const ps of partner.productServices) {
    const entry = byService.get(ps.serviceId) ?? { serviceName: ps.serviceName, productIds: [], target: 0, counted: false };
    const rows = company.counts.filter((c) => c.productId === ps.productId);
    entry.productIds.push(ps.productId);
    entry.target += rows.reduce((sum, c) => sum + countOf(c), 0);
    entry.counted ||= rows.length > 0;
    byService.set(ps.serviceId, entry);
  }
  for (const [serviceId, entry] of [...byService].sort(([a], [b]) => a - b)) {
    const from = company.currentUnits.get(serviceId) ?? 0;
    if (entry.target === 0 && from === 0) continue; // nothing billed, nothing to bill
    if (entry.target > MAX_UNITS) {
      // Refused here, so a dry run shows what the real run does, and a count past int32 never
      // reaches a result row (the run could not record the company and never finished).
      plan.problems.push({ severity: 'error', code: 'count_out_of_range', detail: `${entry.serviceName}: Password Boss counts ${entry.target.toLocaleString('en-US')} ${partner.countBasis}, more than the ${MAX_UNITS.toLocaleString('en-US')} units a service may be set to, so it is surely a wrong count; nothing is set for this service — check the count in Password Boss` });
      continue;
    }
    // A month-end count of 0 is still a count; only a company Password Boss no longer counts for
    // any of the service's products has dropped them.
    plan.actions.push({ serviceId, serviceName: entry.serviceName, productIds: entry.productIds, from, to: entry.target, reason: entry.counted ? 'count' : 'product_removed' });
  }

  const mapped = new Set(partner.productServices.map((p) => p.productId));
  for (const count of company.counts) {
    if (mapped.has(count.productId) || notBilled.has(count.productId) || countOf(count) === 0) continue;
    const name = partner.productNames.get(count.productId) ?? count.productId;
    plan.problems.push({ severity: 'warning', code: 'product_not_mapped', detail: `${name} has ${countOf(count)} ${partner.countBasis} but is not mapped to an Autotask service — map it under Product mappings` });
  }
  return plan;
}

function checkContract(effectiveDate: string, company: CompanyPlanInput): Problem | undefined {
  const c = company.contract;
  const rule = brokenContractRule(c, company.autotaskCompanyId, effectiveDate);
  const name = `Contract '${c?.contractName}'`;
  const problem = (detail: string): Problem => ({ severity: 'error', code: rule!, detail });
  switch (rule) {
    // A later start date is not an error: sync/effective-date.ts bills from it, or waits for it.
    case null:
    case 'contract_not_started':
      return undefined;
    case 'contract_not_found': return problem(`Contract #${company.autotaskContractId} no longer exists in Autotask — pick another contract for this company`);
    case 'contract_wrong_company': return problem(`${name} now belongs to another Autotask company (#${c?.companyID}) — map the company again`);
    case 'contract_not_recurring': return problem(`${name} is not a Recurring Service contract — pick the company's Recurring Service contract`);
    case 'contract_inactive': return problem(`${name} is inactive in Autotask, which takes no units on it — activate it in Autotask or pick an active contract`);
    case 'contract_ended': return problem(`${name} ended on ${c?.endDate} — pick the renewed contract${c?.renewedContractID ? ` (#${c.renewedContractID})` : ''}`);
  }
}

/** What the company's status will be if every action succeeds. */
export function plannedStatus(plan: CompanyPlan): 'ok' | 'warning' | 'error' {
  if (plan.problems.some((p) => p.severity === 'error')) return 'error';
  return plan.problems.length ? 'warning' : 'ok';
}


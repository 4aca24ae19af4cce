/**
 * A whole run's plan, from what the planning activity read: every company's mapping, the
 * ownership ledger (docs/design.md rule 8b), the contracts, the month-end counts and the units in
 * force. Two steps, because the units to read depend on each company's own effective date
 * (rule 7): `unitReads` says which contracts to read on which date, `planRun` builds the plans
 * from those reads. Pure; activities/plan-run.ts does the reading.
 *
 * What it adds to `planCompany`:
 * - one contract, one company: companies that share a contract get `contract_shared` and no
 *   action, so the units never flip between two counts (defect 1 of issue 13);
 * - moves and releases: the pair a company billed before is set to 0 in the same run, as an
 *   action of the company that owned it, on the pair's own contract;
 * - the unit price of each action, from the batched read, so dry runs show money too;
 * - ledger adoptions: pairs already right whose ownership the ledger does not show yet.
 */
import { brokenContractRule } from './contract-rules.ts';
import { companyEffectiveDate } from './effective-date.ts';
import { decideOwnership, pairKey, zeroWrites, type OwnedPair, type PairDecision, type PairRef, type ZeroWrite } from './ownership.ts';
import { planCompany, type CountBasis, type PlanContract, type PlanCount, type ProductService } from './plan.ts';
import type { CompanyPlan, UnitAction, UnitReason } from './records.ts';
import { sharedContractProblems } from './shared-contracts.ts';

export interface RunCompany {
  pbCompanyId: string;
  pbCompanyName: string;
  autotaskCompanyId: number | null;
  contractId: number | null;
  contractName: string | null;
  excluded: boolean;
}

export interface ProductRow {
  productId: string;
  productName: string;
  /** null: deliberately not billed. */
  autotaskServiceId: number | null;
  autotaskServiceName: string | null;
}

export interface RunPlanInput {
  /** The first day after the latest final month (`YYYY-MM-01`). */
  periodStart: string;
  countBasis: CountBasis;
  products: readonly ProductRow[];
  /** Every company row of the partner: mapped, unmapped and excluded. */
  companies: readonly RunCompany[];
  /** The companies this run syncs (undefined: all). */
  scope?: ReadonlySet<string> | undefined;
  owned: readonly OwnedPair[];
  pendingReleases: readonly PairRef[];
  /**
   * Pairs this service zeroed inside the period because their company moved to a contract that
   * starts later than the period's first day, with that date (db `listHandovers`).
   */
  handovers?: ReadonlyArray<PairRef & { effectiveDate: string }>;
  /** The contracts of mapped companies and of owned pairs, as Autotask has them now. */
  contracts: ReadonlyMap<number, PlanContract>;
}

export interface UnitRead {
  units: number;
  unitPrice: number | null;
}

/** Units in force, by `${date}|${contractId}` and then service id. */
export type UnitsByDate = ReadonlyMap<string, ReadonlyMap<number, UnitRead>>;
export const unitsKey = (date: string, contractId: number) => `${date}|${contractId}`;

/** A pair already right whose owner the ledger does not show yet: recorded at planning time. */
export interface LedgerAdoption extends PairRef {
  pbCompanyId: string;
  productIds: string[];
  units: number;
  effectiveDate: string;
  reason: UnitReason;
}

export interface RunPreparation {
  decisions: PairDecision[];
  /** Zeroing writes per company that owned the pair. */
  zeroes: Map<string, ZeroWrite[]>;
  /** The date each zeroing is read and written at, by `pairKey`. */
  zeroDates: Map<string, string>;
  /** The date each company's actions are read and written at. */
  dateOf: Map<string, string>;
  /** Which contracts to read on which date (one batched read per date). */
  reads: Map<string, Set<number>>;
  /** Services zeroed that no product maps now: their names are not in the product mappings. */
  unnamedServices: Set<number>;
  /** Handovers to undo, by `pairKey`: the pair's company is mapped to its contract again, from an earlier date. */
  handBacks: Map<string, string>;
}

const inScope = (input: RunPlanInput, pbCompanyId: string) => !input.scope || input.scope.has(pbCompanyId);

/** Contracts that can still take units on the date: they exist, are Recurring Service and have not ended. */
export function liveContracts(contracts: ReadonlyMap<number, PlanContract>, date: string): Set<number> {
  const live = new Set<number>();
  for (const c of contracts.values()) {
    const rule = brokenContractRule(c, c.companyID, date);
    if (rule === null || rule === 'contract_not_started') live.add(c.id);
  }
  return live;
}

/**
 * The date a mapped company's own contract bills it from in the period: the period's first day,
 * or the contract's start when that falls inside the period (rule 7). Undefined when the contract
 * takes none of its units this period (gone, another company's, not Recurring Service, ended,
 * inactive, or starting after the period).
 */
function billingDate(input: RunPlanInput, company: RunCompany): string | undefined {
  const contract = input.contracts.get(company.contractId!);
  const rule = brokenContractRule(contract, company.autotaskCompanyId ?? -1, input.periodStart);
  if (rule !== null && rule !== 'contract_not_started') return undefined;
  return companyEffectiveDate(input.periodStart, contract!).effectiveDate;
}

/** A mapped company's date: the one its contract bills it from, else the period's first day. */
const companyDate = (input: RunPlanInput, company: RunCompany): string => billingDate(input, company) ?? input.periodStart;

/** Companies whose mapped contract takes their units in the period: only their billing can move. */
function billingCompanies(input: RunPlanInput): Set<string> {
  return new Set(input.companies.filter((c) => c.contractId !== null && !c.excluded && billingDate(input, c) !== undefined).map((c) => c.pbCompanyId));
}

export function unitReads(input: RunPlanInput): RunPreparation {
  const shared = sharedContractProblems(input.companies);
  const decisions = decideOwnership({
    owned: input.owned.filter((p) => inScope(input, p.pbCompanyId)),
    companies: input.companies,
    productServices: new Map(input.products.map((p) => [p.productId, p.autotaskServiceId])),
    pendingReleases: input.pendingReleases,
    liveContracts: liveContracts(input.contracts, input.periodStart),
    billingCompanies: billingCompanies(input),
  });
  const zeroes = new Map<string, ZeroWrite[]>();
  for (const z of zeroWrites(decisions)) zeroes.set(z.pbCompanyId, [...(zeroes.get(z.pbCompanyId) ?? []), z]);

  const dateOf = new Map<string, string>();
  const reads = new Map<string, Set<number>>();
  const read = (date: string, contractId: number) => reads.set(date, (reads.get(date) ?? new Set()).add(contractId));
  for (const c of input.companies) {
    if (c.contractId === null || c.excluded || !inScope(input, c.pbCompanyId)) continue;
    const date = companyDate(input, c);
    dateOf.set(c.pbCompanyId, date);
    // A company held for sharing its contract writes nothing: its units need no read.
    if (!shared.has(c.pbCompanyId)) read(date, c.contractId);
  }
  // Moved and back (rule 8b): the contract's units from the handover date are read too.
  const handBacks = new Map<string, string>();
  const holder = new Map(input.companies.filter((c) => c.contractId !== null && !c.excluded && inScope(input, c.pbCompanyId) && !shared.has(c.pbCompanyId)).map((c) => [c.contractId!, c.pbCompanyId]));
  for (const h of input.handovers ?? []) {
    const company = holder.get(h.contractId);
    if (company === undefined || h.effectiveDate <= dateOf.get(company)!) continue;
    handBacks.set(pairKey(h), h.effectiveDate);
    read(h.effectiveDate, h.contractId);
  }
  const named = new Set(input.products.flatMap((p) => (p.autotaskServiceId === null ? [] : [p.autotaskServiceId])));
  const unnamedServices = new Set<number>();
  const zeroDates = new Map<string, string>();
  for (const [owner, writes] of zeroes) {
    // A company no longer mapped zeroes on the period's first day; a mapped one on its own date,
    // so billing hands over from one contract to the next on the same day. Never before the
    // zeroed contract's own start inside the period: Autotask refuses a date before it, and
    // nothing was billed there before it.
    const date = dateOf.get(owner) ?? input.periodStart;
    dateOf.set(owner, date);
    for (const w of writes) {
      const own = companyEffectiveDate(input.periodStart, input.contracts.get(w.contractId) ?? { contractName: '', startDate: null }).effectiveDate ?? date;
      const zeroDate = own > date ? own : date;
      zeroDates.set(pairKey(w), zeroDate);
      read(zeroDate, w.contractId);
      if (!named.has(w.serviceId)) unnamedServices.add(w.serviceId);
    }
  }
  // A stop of a company still mapped is listed in its results by name (see planRun).
  for (const d of decisions) if (d.kind === 'stop' && (d.cause === 'not_billed' || d.cause === 'not_configured') && !named.has(d.pair.serviceId)) unnamedServices.add(d.pair.serviceId);
  return { decisions, zeroes, zeroDates, dateOf, reads, unnamedServices, handBacks };
}

export interface RunPlans {
  plans: CompanyPlan[];
  adoptions: LedgerAdoption[];
}

export function planRun(
  input: RunPlanInput,
  prep: RunPreparation,
  data: { counts: ReadonlyMap<string, PlanCount[]>; units: UnitsByDate; serviceNames: ReadonlyMap<number, string> }
): RunPlans {
  const productServices: ProductService[] = input.products
    .filter((p) => p.autotaskServiceId !== null)
    .map((p) => ({ productId: p.productId, productName: p.productName, serviceId: p.autotaskServiceId!, serviceName: p.autotaskServiceName ?? `Service #${p.autotaskServiceId}` }));
  const serviceName = (id: number) => productServices.find((p) => p.serviceId === id)?.serviceName ?? data.serviceNames.get(id) ?? `Service #${id}`;
  const partner = {
    effectiveDate: input.periodStart,
    countBasis: input.countBasis,
    productServices,
    productNames: new Map(input.products.map((p) => [p.productId, p.productName])),
    notBilledProductIds: new Set(input.products.filter((p) => p.autotaskServiceId === null).map((p) => p.productId)),
  } as const;
  const shared = sharedContractProblems(input.companies);
  const unitsOf = (date: string, contractId: number) => data.units.get(unitsKey(date, contractId)) ?? new Map<number, UnitRead>();
  const withPrice = (date: string, contractId: number, action: UnitAction): UnitAction => ({ ...action, unitPrice: unitsOf(date, contractId).get(action.serviceId)?.unitPrice ?? null });

  /**
   * Moved and back (rule 8b): a pair already right on the company's date that a move zeroed from
   * a later date in the period is set from that date instead, so the contract bills the whole
   * period again. One adjustment per pair and run: when the units on the company's date are off
   * too, those are written first and the next run sets the rest from the handover date.
   */
  const handBack = (contractId: number, a: UnitAction): UnitAction => {
    const from = prep.handBacks.get(pairKey({ contractId, serviceId: a.serviceId }));
    if (from === undefined || a.contractId !== undefined || a.from !== a.to) return a;
    const there = unitsOf(from, contractId).get(a.serviceId);
    const units = there?.units ?? 0;
    return units === a.to ? a : { ...a, from: units, effectiveDate: from, unitPrice: there?.unitPrice ?? a.unitPrice ?? null };
  };

  const plans = new Map<string, CompanyPlan>();
  for (const c of input.companies) {
    if (c.contractId === null || c.excluded || !inScope(input, c.pbCompanyId)) continue;
    const contract = input.contracts.get(c.contractId);
    const problem = shared.get(c.pbCompanyId);
    if (problem) {
      plans.set(c.pbCompanyId, { pbCompanyId: c.pbCompanyId, pbCompanyName: c.pbCompanyName, contractId: c.contractId, contractName: contract?.contractName ?? c.contractName, actions: [], problems: [problem] });
      continue;
    }
    const date = prep.dateOf.get(c.pbCompanyId)!;
    const current = new Map([...unitsOf(date, c.contractId)].map(([serviceId, u]) => [serviceId, u.units]));
    const plan = planCompany(partner, {
      pbCompanyId: c.pbCompanyId,
      pbCompanyName: c.pbCompanyName,
      autotaskCompanyId: c.autotaskCompanyId!,
      autotaskContractId: c.contractId,
      counts: data.counts.get(c.pbCompanyId) ?? [],
      contract,
      currentUnits: current,
    });
    plan.actions = plan.actions.map((a) => handBack(c.contractId!, withPrice(date, c.contractId!, a)));
    plans.set(c.pbCompanyId, plan);
  }

  // Companies no longer mapped (unmapped, excluded) that still have a release to make come last.
  const names = new Map(input.companies.map((c) => [c.pbCompanyId, c.pbCompanyName]));
  for (const [owner, writes] of prep.zeroes) {
    const date = prep.dateOf.get(owner)!;
    let plan = plans.get(owner);
    if (!plan) {
      const first = writes[0]!;
      plan = { pbCompanyId: owner, pbCompanyName: names.get(owner) ?? owner, contractId: first.contractId, contractName: input.contracts.get(first.contractId)?.contractName ?? null, effectiveDate: date, actions: [], problems: [] };
      plans.set(owner, plan);
    }
    for (const w of writes) {
      const zeroDate = prep.zeroDates.get(pairKey(w)) ?? date;
      const read = unitsOf(zeroDate, w.contractId).get(w.serviceId);
      plan.actions.push({ serviceId: w.serviceId, serviceName: serviceName(w.serviceId), productIds: w.productIds, from: read?.units ?? 0, to: 0, reason: w.reason, contractId: w.contractId, unitPrice: read?.unitPrice ?? null, ...(zeroDate !== date ? { effectiveDate: zeroDate } : {}) });
    }
  }

  for (const d of prep.decisions) {
    if (d.kind !== 'stop' || (d.cause !== 'not_billed' && d.cause !== 'not_configured')) continue;
    const plan = plans.get(d.pbCompanyId);
    if (!plan) continue;
    (plan.leftBehind ??= []).push({ contractId: d.pair.contractId, serviceId: d.pair.serviceId, serviceName: serviceName(d.pair.serviceId), productIds: [...d.pair.productIds], units: d.pair.units, cause: d.cause });
  }

  const ownedBy = new Map(input.owned.map((p) => [pairKey(p), p]));
  const adoptions: LedgerAdoption[] = [];
  for (const plan of plans.values()) {
    const date = plan.effectiveDate ?? input.periodStart;
    for (const a of plan.actions) {
      if (a.from !== a.to) continue; // the write's confirmation records it
      const contractId = a.contractId ?? plan.contractId;
      const owned = ownedBy.get(pairKey({ contractId, serviceId: a.serviceId }));
      const same = owned && owned.pbCompanyId === plan.pbCompanyId && owned.units === a.to && owned.productIds.join('+') === a.productIds.join('+');
      if (same) continue;
      adoptions.push({ contractId, serviceId: a.serviceId, pbCompanyId: plan.pbCompanyId, productIds: a.productIds, units: a.to, effectiveDate: a.effectiveDate ?? date, reason: a.reason });
    }
  }
  return { plans: [...plans.values()], adoptions };
}

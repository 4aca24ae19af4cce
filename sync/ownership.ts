/**
 * The ownership ledger's rules (docs/design.md rule 8b). The service remembers every (contract,
 * service) whose units it has set and which company mapping produced them. Autotask cannot
 * remove a service from a contract, so when billing moves the pair billed before keeps its units
 * unless the service sets it to 0 — otherwise the customer pays twice. Per owned pair a run
 * decides one of:
 *
 * - keep:    the current mappings still produce the pair; its target comes from the counts
 *            (sync/plan.ts), whichever company now produces it.
 * - move:    billing went elsewhere (the company is mapped to another contract, or the products
 *            billed on that service are mapped to another one): set to 0 in the same run.
 * - stop:    the MSP stopped billing here (company unmapped or excluded, products not billed or
 *            no longer configured): nothing is written; the units are listed as left behind.
 * - release: a stop the MSP asked to zero (`?release=zero`): set to 0.
 * - hold:    a company involved shares its contract with another (otherwise units flip between
 *            the two counts), or moved to a contract that takes no units (it would be billed
 *            nowhere): nothing is written until the MSP fixes the mappings.
 * - lapsed:  the contract no longer takes units (ended, gone): nothing can or need be written.
 *
 * Pure.
 */
import { sharedContractProblems } from './shared-contracts.ts';

export interface PairRef {
  contractId: number;
  serviceId: number;
}

export interface LeftBehind extends PairRef {
  units: number;
}

/** The latest confirmed write to a (contract, service), as the ledger holds it. */
export interface OwnedPair extends PairRef {
  units: number;
  effectiveDate: string;
  runId: string;
  /** The company mapping that produced it, and the products whose counts made the units. */
  pbCompanyId: string;
  productIds: readonly string[];
}

export interface CompanyMappingState {
  pbCompanyId: string;
  pbCompanyName: string;
  /** null: not mapped. */
  contractId: number | null;
  excluded: boolean;
}

export interface OwnershipInput {
  /** At most one entry per (contract, service): the ledger's latest write, units above 0. */
  owned: readonly OwnedPair[];
  /** The partner's companies; one missing is treated as unmapped (Password Boss dropped it). */
  companies: readonly CompanyMappingState[];
  /** productId → serviceId, or null when deliberately not billed; a product missing is not configured. */
  productServices: ReadonlyMap<string, number | null>;
  /** Pairs whose stop the MSP asked to zero. */
  pendingReleases: readonly PairRef[];
  /** Contracts that can take units on this run's date (exist, Recurring Service, not ended). */
  liveContracts: ReadonlySet<number>;
  /**
   * Companies whose mapped contract takes their units in this run's period (rule 6 for their own
   * Autotask company, started by the period's end): only their billing can move.
   */
  billingCompanies: ReadonlySet<string>;
}

export type StopCause = 'unmapped' | 'excluded' | 'not_billed' | 'not_configured';

export type PairDecision =
  | { kind: 'keep'; pair: OwnedPair; pbCompanyId: string; productIds: string[] }
  | { kind: 'move'; pair: OwnedPair; pbCompanyId: string; reason: 'moved_contract' | 'moved_service'; to: 0 }
  | { kind: 'release'; pair: OwnedPair; pbCompanyId: string; reason: 'released'; cause: StopCause; to: 0 }
  | { kind: 'stop'; pair: OwnedPair; pbCompanyId: string; cause: StopCause }
  | { kind: 'hold'; pair: OwnedPair; pbCompanyId: string; reason: 'contract_shared' | 'contract_not_live' }
  | { kind: 'lapsed'; pair: OwnedPair; pbCompanyId: string };

export const pairKey = (p: PairRef) => `${p.contractId}/${p.serviceId}`;

/** One decision per owned pair, in the order given. */
export function decideOwnership(input: OwnershipInput): PairDecision[] {
  const seen = new Set<string>();
  for (const pair of input.owned) {
    const key = pairKey(pair);
    if (seen.has(key)) throw new Error(`the ledger lists pair ${key} twice; pass only its latest write per (contract, service)`);
    seen.add(key);
  }
  const companies = new Map(input.companies.map((c) => [c.pbCompanyId, c]));
  const shared = sharedContractProblems(input.companies);
  const holders = new Map<number, CompanyMappingState[]>();
  for (const c of input.companies) {
    if (c.contractId === null || c.excluded) continue;
    holders.set(c.contractId, [...(holders.get(c.contractId) ?? []), c]);
  }
  const productsOf = new Map<number, string[]>();
  for (const [productId, serviceId] of input.productServices) {
    if (serviceId !== null) productsOf.set(serviceId, [...(productsOf.get(serviceId) ?? []), productId]);
  }
  const released = new Set(input.pendingReleases.map(pairKey));

  return input.owned.map((pair): PairDecision => {
    const owner = pair.pbCompanyId;
    const onContract = holders.get(pair.contractId) ?? [];
    const hold: PairDecision = { kind: 'hold', pair, pbCompanyId: owner, reason: 'contract_shared' };
    // Units that flip between two companies' counts are worse than units left alone.
    if (onContract.length > 1) return hold;
    const producer = onContract[0];
    const products = productsOf.get(pair.serviceId);
    // Whoever maps the contract now, with any product on that service, sets its units: one target.
    if (producer && products) return { kind: 'keep', pair, pbCompanyId: producer.pbCompanyId, productIds: [...products].sort() };
    // A company whose new contract is shared writes nothing, so it moves nothing away either.
    if (shared.has(owner)) return hold;
    if (!input.liveContracts.has(pair.contractId)) return { kind: 'lapsed', pair, pbCompanyId: owner };

    const state = companies.get(owner);
    const stop = (cause: StopCause): PairDecision =>
      released.has(pairKey(pair)) ? { kind: 'release', pair, pbCompanyId: owner, reason: 'released', cause, to: 0 } : { kind: 'stop', pair, pbCompanyId: owner, cause };
    if (!state || (state.contractId === null && !state.excluded)) return stop('unmapped');
    if (state.excluded) return stop('excluded');
    if (state.contractId !== pair.contractId) {
      // A move goes to a contract that bills the company this period only: one that takes no
      // units (inactive, ended, gone, another company's, starting after the period) would leave
      // the customer billed nowhere. The company's plan says what to fix meanwhile.
      if (!input.billingCompanies.has(owner)) return { kind: 'hold', pair, pbCompanyId: owner, reason: 'contract_not_live' };
      return { kind: 'move', pair, pbCompanyId: owner, reason: 'moved_contract', to: 0 };
    }
    // Same contract, but no product is billed on this service any more. If any of the pair's
    // products now bills through another service, leaving the units would bill those users twice.
    const services = pair.productIds.map((p) => input.productServices.get(p));
    if (services.some((s) => typeof s === 'number')) return { kind: 'move', pair, pbCompanyId: owner, reason: 'moved_service', to: 0 };
    return stop(services.some((s) => s === null) ? 'not_billed' : 'not_configured');
  });
}

/** The owned pairs a stop leaves with units, per company (what `leftBehind` answers). */
export function leftBehindByCompany(decisions: readonly PairDecision[]): Map<string, LeftBehind[]> {
  const out = new Map<string, LeftBehind[]>();
  for (const d of decisions) {
    if (d.kind !== 'stop') continue;
    out.set(d.pbCompanyId, [...(out.get(d.pbCompanyId) ?? []), { contractId: d.pair.contractId, serviceId: d.pair.serviceId, units: d.pair.units }]);
  }
  return out;
}

/** A zeroing write the run must make, on the pair's own contract, for the company that owned it. */
export interface ZeroWrite extends PairRef {
  pbCompanyId: string;
  productIds: string[];
  from: number;
  to: 0;
  reason: 'moved_contract' | 'moved_service' | 'released';
}

/** Moves and releases: the only decisions besides a kept pair's count that write. */
export function zeroWrites(decisions: readonly PairDecision[]): ZeroWrite[] {
  const out: ZeroWrite[] = [];
  for (const d of decisions) {
    if (d.kind !== 'move' && d.kind !== 'release') continue;
    out.push({ contractId: d.pair.contractId, serviceId: d.pair.serviceId, pbCompanyId: d.pbCompanyId, productIds: [...d.pair.productIds], from: d.pair.units, to: 0, reason: d.reason });
  }
  return out;
}

/**
 * The left-behind pairs of one company, for the answer to an unmap or exclude: every pair whose
 * latest write was this company's and left units. (One contract, one company: no other mapping
 * produces them, so each keeps its units unless the MSP asks for a release.)
 */
export function leftBehindOf(pbCompanyId: string, owned: readonly OwnedPair[]): LeftBehind[] {
  return owned
    .filter((p) => p.pbCompanyId === pbCompanyId && p.units > 0)
    .map((p) => ({ contractId: p.contractId, serviceId: p.serviceId, units: p.units }))
    .sort((a, b) => a.contractId - b.contractId || a.serviceId - b.serviceId);
}

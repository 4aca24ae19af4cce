/**
 * The property test's model of one partner (issue 13, "Proof"): a small world of Password Boss
 * companies, products and Autotask contracts, the commands an MSP (and bad luck) can apply to it,
 * and what the billing rules (docs/design.md rules 4, 6–9, 8b) say Autotask must hold afterwards.
 *
 * Everything here is pure and written from the rules, not from the planner: the test never asks
 * the code under test what the right answer is.
 */
import fc from 'fast-check';
import type { AtFixture } from '../../simulators/autotask/fixture.ts';
import type { PbPartnerFixture } from '../../simulators/passwordboss/fixture.ts';

// --- the world ---------------------------------------------------------------------------------

export const PRODUCTS = ['pb-standard', 'pb-advanced', 'pb-business'] as const;
export type Product = (typeof PRODUCTS)[number];
export const PRODUCT_NAMES: Record<Product, string> = { 'pb-standard': 'Password Boss Standard', 'pb-advanced': 'Password Boss Advanced', 'pb-business': 'Password Boss Business' };

/** Services a product may bill through. */
export const BILLED_SERVICES = [301, 302, 305] as const;
export type BilledService = (typeof BILLED_SERVICES)[number];
/** Another line of business on every A contract (managed backup): no product ever maps to it. */
export const FOREIGN_SERVICE = 304;
export const FOREIGN_UNITS = 7;
export const ALL_SERVICES = [...BILLED_SERVICES, FOREIGN_SERVICE] as const;

/** The first day after the latest final month (2026-10), as the stack's clock (2026-11-27) has it. */
export const PERIOD_START = '2026-11-01';
/** The last day of the period the runs bill. */
export const PERIOD_END = '2026-11-30';
/** Contract B of an even company starts mid-period: billed from its own start (rule 7, planned). */
export const MID_PERIOD_START = '2026-11-15';

export type ContractSlot = 'A' | 'B';
export const companyId = (i: number) => `c-${String(i + 1).padStart(2, '0')}`;
export const atCompanyId = (i: number) => 1001 + i;
export const contractIdOf = (i: number, slot: ContractSlot) => 7000 + 10 * (i + 1) + (slot === 'A' ? 1 : 2);
export const contractStart = (i: number, slot: ContractSlot) => (slot === 'B' && i % 2 === 1 ? MID_PERIOD_START : '2026-01-01');
/** Units the MSP set by hand on each A contract's Standard service before the integration: never a count. */
export const seededStandardUnits = (i: number) => 50 + i;

export const credentials = { username: 'sync-api@northwind.example', secret: 'demo-secret-Northwind-2026', trackingIdentifier: 'PBAUTOTASKSYNC0000000000000' };

export function atFixture(companies: number): AtFixture {
  const fixture: AtFixture = {
    zoneName: 'Property (simulated)',
    users: [{ userName: credentials.username, secret: credentials.secret }],
    integrationCodes: [credentials.trackingIdentifier],
    companies: [],
    contracts: [],
    services: [
      { id: 301, name: PRODUCT_NAMES['pb-standard'], isActive: true, unitPrice: 3, unitCost: 1.5 },
      { id: 302, name: PRODUCT_NAMES['pb-advanced'], isActive: true, unitPrice: 5, unitCost: 2.5 },
      { id: 304, name: 'Managed Backup', isActive: true, unitPrice: 12, unitCost: 6 },
      { id: 305, name: PRODUCT_NAMES['pb-business'], isActive: true, unitPrice: 7, unitCost: 3.5 },
    ],
    contractServices: [],
    adjustments: [],
  };
  for (let i = 0; i < companies; i++) {
    fixture.companies.push({ id: atCompanyId(i), companyName: `Customer ${i + 1} Inc.`, companyType: 1, isActive: true });
    for (const slot of ['A', 'B'] as const) {
      fixture.contracts.push({ id: contractIdOf(i, slot), companyID: atCompanyId(i), contractName: `Customer ${i + 1} ${slot}`, contractType: 7, status: 1, startDate: contractStart(i, slot), endDate: '2027-12-31' });
    }
    fixture.adjustments!.push({ contractID: contractIdOf(i, 'A'), serviceID: FOREIGN_SERVICE, effectiveDate: '2026-01-01', unitChange: FOREIGN_UNITS });
    fixture.adjustments!.push({ contractID: contractIdOf(i, 'A'), serviceID: 301, effectiveDate: '2026-10-01', unitChange: seededStandardUnits(i) });
  }
  return fixture;
}

export function pbPartner(partnerId: string, companies: number, counts: Counts): PbPartnerFixture {
  return {
    id: partnerId,
    name: 'Property MSP',
    products: PRODUCTS.map((id) => ({ id, name: PRODUCT_NAMES[id] })),
    companies: Array.from({ length: companies }, (_, i) => ({ id: companyId(i), name: `Customer ${i + 1}`, type: 'customer', active: true })),
    months: [{ month: '2026-10', final: true, calculatedAt: '2026-10-31T23:30:00Z', counts: pbCounts(counts) }],
  };
}

/** company index → product → month-end users (absent: Password Boss has no row for it). */
export type Counts = Map<number, Map<Product, number>>;

export function pbCounts(counts: Counts) {
  const out: Array<{ companyId: string; productId: string; users: number; licenses: number }> = [];
  for (const [i, byProduct] of [...counts].sort(([a], [b]) => a - b)) {
    for (const [productId, users] of byProduct) out.push({ companyId: companyId(i), productId, users, licenses: users });
  }
  return out;
}

// --- commands ----------------------------------------------------------------------------------

export type FaultKind = 'rate_limit' | 'unexpected_500' | 'refusal_500' | 'reset' | 'lost' | 'late' | 'dropped' | 'garbled';
export type FaultTarget = 'adjustments' | 'units' | 'contracts' | 'any';
export interface FaultSpec {
  kind: FaultKind;
  target: FaultTarget;
  /** Matching requests let through first. */
  after: number;
  times: number;
}

export type Command =
  | { kind: 'count'; company: number; product: Product; users: number | null }
  | { kind: 'productService'; product: Product; service: BilledService | null }
  | { kind: 'map'; company: number; owner: number; slot: ContractSlot }
  | { kind: 'unmap'; company: number; release: 'keep' | 'zero' }
  | { kind: 'exclude'; company: number; release: 'keep' | 'zero' }
  | { kind: 'include'; company: number }
  | { kind: 'toggle'; enabled: boolean }
  | { kind: 'sync'; faults: FaultSpec[] }
  | { kind: 'overlap' }
  | { kind: 'disableMidRun' }
  /** The MSP checked Autotask and abandons every adjustment that never applied (docs/design.md rule 8). */
  | { kind: 'abandon' };

export interface Scenario {
  companies: number;
  products: Record<Product, BilledService | null>;
  initial: Array<{ slot: ContractSlot | null; counts: Partial<Record<Product, number>> }>;
  commands: Command[];
}

export interface CommandSet {
  /** Only what today's main handles: count changes and plain syncs on start-of-period contracts. */
  restricted: boolean;
  /** The Temporal driver cannot time a disable between planning and the first write. */
  midRunDisable: boolean;
}

const count = fc.integer({ min: 0, max: 40 });

function faultArb(): fc.Arbitrary<FaultSpec> {
  return fc.oneof(
    fc.record({ kind: fc.constantFrom<FaultKind>('rate_limit', 'unexpected_500', 'reset'), target: fc.constantFrom<FaultTarget>('adjustments', 'units', 'contracts', 'any'), after: fc.integer({ min: 0, max: 3 }), times: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constantFrom<FaultKind>('lost', 'late', 'dropped', 'garbled', 'refusal_500'), target: fc.constant<FaultTarget>('adjustments'), after: fc.integer({ min: 0, max: 3 }), times: fc.integer({ min: 1, max: 2 }) })
  );
}

export function scenarioArb(set: CommandSet): fc.Arbitrary<Scenario> {
  return fc.integer({ min: 3, max: 6 }).chain((companies) => {
    const company = fc.integer({ min: 0, max: companies - 1 });
    const product = fc.constantFrom(...PRODUCTS);
    const service = fc.constantFrom<BilledService | null>(...BILLED_SERVICES, null);
    const release = fc.constantFrom<'keep' | 'zero'>('keep', 'zero');
    const countsArb = fc.record({ 'pb-standard': count, 'pb-advanced': count, 'pb-business': count }, { requiredKeys: [] });
    const plainSync = fc.constant<Command>({ kind: 'sync', faults: [] });
    const countCmd = fc.record({ kind: fc.constant('count' as const), company, product, users: fc.option(count, { freq: 5 }) });
    const restrictedCommand = fc.oneof({ weight: 3, arbitrary: countCmd }, { weight: 2, arbitrary: plainSync });
    const fullCommand = fc.oneof(
      { weight: 4, arbitrary: countCmd },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('productService' as const), product, service }) },
      // Mostly a company's own contracts; now and then another company's (the API must refuse a taken one).
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('map' as const), company, owner: company, slot: fc.constantFrom<ContractSlot>('A', 'B') }).chain((m) => fc.oneof({ weight: 4, arbitrary: fc.constant({ ...m, owner: m.company }) }, { weight: 1, arbitrary: fc.constant(m) })) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('unmap' as const), company, release }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('exclude' as const), company, release }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('include' as const), company }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('toggle' as const), enabled: fc.boolean() }) },
      { weight: 3, arbitrary: plainSync },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), faults: fc.array(faultArb(), { minLength: 1, maxLength: 3 }) }) },
      { weight: 1, arbitrary: fc.constant<Command>({ kind: 'overlap' }) },
      { weight: 1, arbitrary: fc.constant<Command>({ kind: 'abandon' }) },
      ...(set.midRunDisable ? [{ weight: 1, arbitrary: fc.constant<Command>({ kind: 'disableMidRun' }) }] : [])
    );
    return fc.record({
      companies: fc.constant(companies),
      products: set.restricted
        ? fc.constant({ 'pb-standard': 301, 'pb-advanced': 302, 'pb-business': 305 } as Record<Product, BilledService | null>)
        : fc.record({ 'pb-standard': service, 'pb-advanced': service, 'pb-business': service }),
      initial: fc.array(fc.record({ slot: set.restricted ? fc.constant<ContractSlot | null>('A') : fc.constantFrom<ContractSlot | null>('A', 'A', 'B', null), counts: countsArb }), { minLength: companies, maxLength: companies }),
      commands: fc.array(set.restricted ? restrictedCommand : fullCommand, { minLength: 1, maxLength: 12 }),
    });
  });
}

// --- the model's state and what the rules expect ------------------------------------------------

export const pairKey = (contractId: number, serviceId: number) => `${contractId}/${serviceId}`;

export interface CompanyState {
  /** The Autotask contract it is mapped to, and whose contract it is (the company index). */
  contract: { id: number; owner: number; slot: ContractSlot } | null;
  excluded: boolean;
}

/** The model's own ownership ledger entry: the latest confirmed write that left units (rule 8b). */
export interface Owned {
  company: number;
  products: Product[];
  units: number;
}

export interface ModelState {
  enabled: boolean;
  products: Map<Product, BilledService | null>;
  companies: CompanyState[];
  counts: Counts;
  owned: Map<string, Owned>;
  pendingReleases: Set<string>;
}

export function initialState(s: Scenario): ModelState {
  const counts: Counts = new Map();
  s.initial.forEach((c, i) => counts.set(i, new Map(Object.entries(c.counts) as Array<[Product, number]>)));
  return {
    enabled: true,
    products: new Map(PRODUCTS.map((p) => [p, s.products[p]])),
    companies: s.initial.map((c, i) => ({ contract: c.slot ? { id: contractIdOf(i, c.slot), owner: i, slot: c.slot } : null, excluded: false })),
    counts,
    owned: new Map(),
    pendingReleases: new Set(),
  };
}

/** The date a contract's units are set from: the later of the period start and the contract's own start. */
export function effectiveDateOf(contractId: number): string {
  const i = Math.floor((contractId - 7000) / 10) - 1;
  const slot: ContractSlot = contractId % 10 === 1 ? 'A' : 'B';
  const start = contractStart(i, slot);
  return start > PERIOD_START ? start : PERIOD_START;
}

const laterOf = (a: string, b: string) => (a > b ? a : b);

export type Why = 'count' | 'move' | 'release';

export interface PairTarget {
  contractId: number;
  serviceId: number;
  to: number;
  why: Why;
  /** The company whose mapping produces (or last produced) the pair. */
  company: number;
  products: Product[];
  effectiveDate: string;
}

/** The company mapped to each contract now (at most one: the API enforces one contract, one company). */
function holders(state: ModelState): Map<number, number> {
  const out = new Map<number, number>();
  state.companies.forEach((c, i) => {
    if (c.contract && !c.excluded) out.set(c.contract.id, i);
  });
  return out;
}

/**
 * What a run must do, per (contract, service), from the rules alone:
 * - a billed pair (a mapped company's contract, a service some product maps to) carries the sum
 *   of the company's month-end counts of the products mapped to it (rule 7);
 * - a pair the service owns that billing moved away from (company to another contract, products to
 *   another service) is set to 0; so is one whose stop the MSP asked to release (rule 8b);
 * - every other pair (stopped, never owned, other services) is not written at all.
 */
export function predict(state: ModelState): Map<string, PairTarget> {
  const out = new Map<string, PairTarget>();
  const productsOf = new Map<number, Product[]>();
  for (const [p, s] of state.products) if (s !== null) productsOf.set(s, [...(productsOf.get(s) ?? []), p]);
  for (const [contractId, i] of holders(state)) {
    for (const [serviceId, products] of productsOf) {
      const to = products.reduce((sum, p) => sum + (state.counts.get(i)?.get(p) ?? 0), 0);
      out.set(pairKey(contractId, serviceId), { contractId, serviceId, to, why: 'count', company: i, products: [...products].sort(), effectiveDate: effectiveDateOf(contractId) });
    }
  }
  for (const [key, owned] of state.owned) {
    if (out.has(key) || owned.units === 0) continue;
    const [contractId, serviceId] = key.split('/').map(Number) as [number, number];
    const owner = state.companies[owned.company]!;
    const zero = (why: Why, from = effectiveDateOf(contractId)): PairTarget => ({ contractId, serviceId, to: 0, why, company: owned.company, products: owned.products, effectiveDate: from });
    if (!owner.contract) {
      if (state.pendingReleases.has(key)) out.set(key, zero('release'));
    } else if (owner.contract.id !== contractId) {
      // Billing hands over on the day the new contract bills from, so the customer pays for no
      // day twice and no day not at all; never before the old contract's own start.
      out.set(key, zero('move', laterOf(effectiveDateOf(owner.contract.id), effectiveDateOf(contractId))));
    } else if (owned.products.some((p) => state.products.get(p) !== null && state.products.get(p) !== undefined)) {
      out.set(key, zero('move'));
    }
    // Otherwise a stop ("not billed"): the units stay.
  }
  return out;
}

/** The pairs a company's stop leaves behind (its owned pairs with units), as `leftBehind` lists them. */
export function leftBehind(state: ModelState, company: number): string[] {
  return [...state.owned].filter(([, o]) => o.company === company && o.units > 0).map(([k]) => k);
}

/**
 * Applies a mapping or count command to the model; returns what the API should answer
 * (`taken`: 422 contract_taken). Sync commands are applied by the harness, which observes them.
 */
export function applyToModel(state: ModelState, cmd: Command): 'ok' | 'taken' {
  switch (cmd.kind) {
    case 'count': {
      const byProduct = state.counts.get(cmd.company) ?? new Map<Product, number>();
      if (cmd.users === null) byProduct.delete(cmd.product);
      else byProduct.set(cmd.product, cmd.users);
      state.counts.set(cmd.company, byProduct);
      return 'ok';
    }
    case 'productService':
      state.products.set(cmd.product, cmd.service);
      return 'ok';
    case 'map': {
      const id = contractIdOf(cmd.owner, cmd.slot);
      const holder = holders(state).get(id);
      if (holder !== undefined && holder !== cmd.company) return 'taken';
      state.companies[cmd.company] = { contract: { id, owner: cmd.owner, slot: cmd.slot }, excluded: false };
      // Billed again: an earlier request to zero what it left behind no longer stands.
      for (const k of leftBehind(state, cmd.company)) state.pendingReleases.delete(k);
      return 'ok';
    }
    case 'unmap':
    case 'exclude': {
      const c = state.companies[cmd.company]!;
      c.contract = null;
      if (cmd.kind === 'exclude') c.excluded = true;
      for (const k of leftBehind(state, cmd.company)) {
        if (cmd.release === 'zero') state.pendingReleases.add(k);
        else state.pendingReleases.delete(k);
      }
      return 'ok';
    }
    case 'include':
      state.companies[cmd.company]!.excluded = false;
      return 'ok';
    case 'toggle':
      state.enabled = cmd.enabled;
      return 'ok';
    case 'sync':
    case 'overlap':
    case 'disableMidRun':
    case 'abandon':
      return 'ok';
  }
}

/** Records a confirmed write in the model's ledger: whoever wrote a pair last owns it. */
export function recordWrite(state: ModelState, target: PairTarget, units: number): void {
  const key = pairKey(target.contractId, target.serviceId);
  state.pendingReleases.delete(key);
  if (units > 0) state.owned.set(key, { company: target.company, products: target.products, units });
  else state.owned.delete(key);
}

/** Every (contract, service) of the world, with the date its units are judged at. */
export function allPairs(companies: number): Array<{ contractId: number; serviceId: number; effectiveDate: string }> {
  const out: Array<{ contractId: number; serviceId: number; effectiveDate: string }> = [];
  for (let i = 0; i < companies; i++) {
    for (const slot of ['A', 'B'] as const) {
      const contractId = contractIdOf(i, slot);
      for (const serviceId of ALL_SERVICES) out.push({ contractId, serviceId, effectiveDate: effectiveDateOf(contractId) });
    }
  }
  return out;
}

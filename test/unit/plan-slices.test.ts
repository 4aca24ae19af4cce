/**
 * Planning a run slice by slice (activities/plan-slices.ts, issue 15's memory bound) must give
 * exactly the plans and ledger adoptions of planning it whole, in the same order, each slice
 * reading only its own contracts' units. Random partners with moves, releases, unmapped and
 * excluded owners, shared contracts, contracts starting mid-period or ended, and handovers.
 */
import { describe, expect, it } from 'vitest';
import type { OwnedPair } from '../../sync/ownership.ts';
import type { PlanContract, PlanCount } from '../../sync/plan.ts';
import { planOwners, planRun, sliceReads, unitReads, unitsKey, type RunCompany, type RunPlanInput, type UnitRead } from '../../sync/run-plan.ts';

const PERIOD = '2026-11-01';
const MID = '2026-11-15';
const SERVICES = [301, 302, 303];

/** A small deterministic generator (mulberry32), so a failing seed can be replayed. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n: number) => Math.floor(next() * n), chance: (p: number) => next() < p };
}

function partner(seed: number) {
  const r = random(seed);
  const contractCount = 4 + r.int(10);
  const contracts = new Map<number, PlanContract>();
  for (let i = 0; i < contractCount; i++) {
    const id = 100 + i;
    const startDate = r.chance(0.2) ? MID : '2026-01-01';
    const endDate = r.chance(0.1) ? '2026-10-31' : '2027-12-31';
    if (!r.chance(0.05)) contracts.set(id, { id, companyID: 10 + i, contractName: `Contract ${id}`, contractType: 7, startDate, endDate });
  }
  const companies: RunCompany[] = [];
  const companyCount = 3 + r.int(12);
  for (let i = 0; i < companyCount; i++) {
    const contractId = r.chance(0.15) ? null : 100 + r.int(contractCount);
    companies.push({ pbCompanyId: `c${i}`, pbCompanyName: `Company ${i}`, autotaskCompanyId: contractId === null ? null : 10 + (contractId - 100), contractId, contractName: null, excluded: r.chance(0.1) });
  }
  const owned: OwnedPair[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < r.int(companyCount + 4); i++) {
    const contractId = 100 + r.int(contractCount);
    const serviceId = SERVICES[r.int(SERVICES.length)]!;
    if (seen.has(`${contractId}/${serviceId}`)) continue;
    seen.add(`${contractId}/${serviceId}`);
    owned.push({ contractId, serviceId, units: 1 + r.int(9), effectiveDate: PERIOD, runId: 'r0', pbCompanyId: `c${r.int(companyCount + 2)}`, productIds: [serviceId === 301 ? 'std' : 'adv'] });
  }
  const input: RunPlanInput = {
    periodStart: PERIOD,
    countBasis: 'users',
    products: [
      { productId: 'std', productName: 'Standard', autotaskServiceId: 301, autotaskServiceName: 'Standard' },
      { productId: 'adv', productName: 'Advanced', autotaskServiceId: r.chance(0.2) ? null : 302, autotaskServiceName: 'Advanced' },
    ],
    companies,
    scope: r.chance(0.2) ? new Set(companies.filter(() => r.chance(0.6)).map((c) => c.pbCompanyId)) : undefined,
    owned,
    pendingReleases: owned.filter(() => r.chance(0.3)),
    handovers: owned.filter(() => r.chance(0.15)).map((p) => ({ contractId: p.contractId, serviceId: p.serviceId, effectiveDate: MID })),
    contracts,
  };
  const counts = new Map<string, PlanCount[]>(companies.map((c) => [c.pbCompanyId, r.chance(0.1) ? [] : [{ productId: 'std', users: r.int(8), licenses: r.int(8) }, ...(r.chance(0.4) ? [{ productId: 'adv', users: r.int(5), licenses: r.int(5) }] : [])]]));
  // What Autotask holds on each date read: some services, some units, a price.
  const held = new Map<string, number>();
  const unitsOn = (date: string, contractId: number, serviceId: number) => {
    const key = `${date}|${contractId}|${serviceId}`;
    if (!held.has(key)) held.set(key, r.chance(0.3) ? -1 : r.int(9));
    return held.get(key)!;
  };
  return { input, counts, unitsOn };
}

function answer(reads: ReadonlyMap<string, ReadonlySet<number>>, unitsOn: (date: string, contractId: number, serviceId: number) => number) {
  const units = new Map<string, Map<number, UnitRead>>();
  for (const [date, ids] of reads) {
    for (const id of ids) {
      const services = new Map<number, UnitRead>();
      for (const s of SERVICES) {
        const n = unitsOn(date, id, s);
        if (n >= 0) services.set(s, { units: n, unitPrice: 2.5 });
      }
      units.set(unitsKey(date, id), services);
    }
  }
  return units;
}

describe('planning a run in slices', () => {
  it('gives the whole run\'s plans and adoptions, in order, from each slice\'s own reads', () => {
    let sliced = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { input, counts, unitsOn } = partner(seed);
      const prep = unitReads(input);
      const whole = planRun(input, prep, { counts, units: answer(prep.reads, unitsOn), serviceNames: new Map() });
      const owners = planOwners(input, prep);
      expect(owners, `seed ${seed}`).toEqual(whole.plans.map((p) => p.pbCompanyId));
      for (const size of [1, 2, 3]) {
        const plans = [];
        const adoptions = [];
        for (let from = 0; from < owners.length; from += size) {
          const slice = new Set(owners.slice(from, from + size));
          const reads = sliceReads(input, prep, slice);
          for (const [date, ids] of reads) for (const id of ids) expect(prep.reads.get(date)?.has(id), `seed ${seed}: read outside the run's`).toBe(true);
          const part = planRun(input, prep, { counts, units: answer(reads, unitsOn), serviceNames: new Map(), owners: slice });
          plans.push(...part.plans);
          adoptions.push(...part.adoptions);
        }
        expect(plans, `seed ${seed}, slices of ${size}`).toEqual(whole.plans);
        expect(adoptions, `seed ${seed}, slices of ${size}`).toEqual(whole.adoptions);
        if (owners.length > size) sliced++;
      }
    }
    // The generator is worth its name: most partners span several slices.
    expect(sliced).toBeGreaterThan(600);
  });
});

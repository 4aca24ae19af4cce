/**
 * Issue 13's billing defects over the real stack (Temporal, the worker, the API, both simulators):
 * billing that moves zeroes what it left, a stop leaves units and says so, a release zeroes them,
 * two companies on one contract are held, a contract starting mid-period bills from its start,
 * a count of 0 is a count, and every result shows the money the invoice changes by.
 *
 * One stack, runs in order: each step builds on the units the step before left.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner, syncNow } from '../support/partner-setup.ts';
import type { DemoMapping } from '../../simulators/demo-data.ts';
import { parseCsv } from '../support/csv.ts';

const PERIOD = '2026-11-01';
const MID = '2026-11-15';
const PREMIUM = 305;
const NEW_CONTRACT = 990_001;
const LATE_CONTRACT = 990_002;

type Result = {
  pbCompanyId: string;
  productId: string;
  autotaskContractId: number | null;
  autotaskServiceId: number | null;
  action: string;
  status: string;
  unitsBefore: number | null;
  unitsAfter: number | null;
  adjustmentId: number | null;
  errorType: string | null;
  reason: string | null;
  unitPrice: number | null;
  amountChange: number | null;
  detail: string | null;
};

describe('billing moves, stops, releases and money over the real run', () => {
  let stack: Stack;
  let m: Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h', DemoMapping>;
  const admin = () => bearer(stack.adminKey);
  const state = () => stack.sims.autotask.state;
  const unitsOn = (contractId: number, serviceId: number, date = PERIOD) => {
    const cs = state().findContractService(contractId, serviceId);
    return cs ? state().unitsAt(cs.id, date) : 0;
  };
  const latest = () => stack.sims.passwordboss.partner(stack.partnerId)!.months.filter((x) => x.final).at(-1)!;
  const setUsers = (companyId: string, productId: string, users: number) => {
    const rows = latest().counts;
    const row = rows.find((c) => c.companyId === companyId && c.productId === productId);
    if (row) Object.assign(row, { users, licenses: users });
    else rows.push({ companyId, productId, users, licenses: users });
  };
  const sync = async (body: Record<string, unknown> = {}) => {
    const since = state().adjustments.length;
    const { run } = await syncNow(stack, stack.partnerId, body);
    return { run: run as Omit<typeof run, 'results'> & { amountChange: number; unpricedChanges: number; results: Result[] }, posted: state().adjustments.slice(since) };
  };
  const resultsOf = (results: Result[], id: string) => results.filter((r) => r.pbCompanyId === id);
  const priceOf = (contractId: number, serviceId: number) => {
    const cs = state().findContractService(contractId, serviceId)!;
    return cs.unitPrice ?? state().service(serviceId)!.unitPrice;
  };
  const putProducts = async (standard: number | null, advanced: number | null) => {
    const res = await stack.app.inject({ method: 'PUT', url: `/v1/partners/${stack.partnerId}/product-mappings`, headers: admin(), payload: { mappings: [{ productId: 'pb-standard', autotaskServiceId: standard }, { productId: 'pb-advanced', autotaskServiceId: advanced }] } });
    expect(res.statusCode, res.body).toBe(200);
  };
  const mapTo = async (x: DemoMapping, contractId: number) => {
    const res = await stack.app.inject({ method: 'PUT', url: `/v1/partners/${stack.partnerId}/company-mappings/${x.pbCompanyId}`, headers: admin(), payload: { autotaskCompanyId: x.autotaskCompanyId, autotaskContractId: contractId } });
    expect(res.statusCode, res.body).toBe(200);
  };

  beforeAll(async () => {
    stack = await startStack('pglite', { demo: { companies: 24 } });
    const notable = stack.sims.demo.notable;
    const skip = new Set([notable.msp, notable.switched, notable.endedContract, notable.otherTypeOnly, ...notable.inactive]);
    const usable = stack.sims.demo.mappings.filter((x) => !skip.has(x.pbCompanyId));
    const [a, b, c, d, e, f, g, h] = usable as [DemoMapping, DemoMapping, DemoMapping, DemoMapping, DemoMapping, DemoMapping, DemoMapping, DemoMapping];
    m = { a, b, c, d, e, f, g, h };
    // A third service to move to, a second live contract for C, and one starting mid-period for G.
    const fixture = structuredClone(stack.sims.demo.autotask);
    fixture.services.push({ id: PREMIUM, name: 'Password Boss Premium', isActive: true, unitPrice: 4 });
    fixture.contracts.push(
      { id: NEW_CONTRACT, companyID: c.autotaskCompanyId, contractName: 'C renewed', contractType: 7, status: 1, startDate: '2026-01-01', endDate: '2027-12-31' },
      { id: LATE_CONTRACT, companyID: g.autotaskCompanyId, contractName: 'G from the 15th', contractType: 7, status: 1, startDate: MID, endDate: '2027-12-31' }
    );
    state().load(fixture);
    // Every company bills both products, with counts this test knows.
    for (const [i, x] of Object.values(m).entries()) {
      setUsers(x.pbCompanyId, 'pb-standard', 10 + i);
      setUsers(x.pbCompanyId, 'pb-advanced', 4 + i);
    }
    await setUpPartner(stack, { companies: (id) => [a, b, c, d, e, g, h].some((x) => x.pbCompanyId === id) });
  });
  afterAll(async () => stack?.close());

  it('shows each change with its unit price and amount, and the run its total', async () => {
    const { run } = await sync();
    const set = run.results.filter((r) => r.action === 'set' && r.status === 'ok');
    expect(set.length).toBeGreaterThan(10);
    for (const r of set) {
      const price = priceOf(r.autotaskContractId!, r.autotaskServiceId!);
      expect(r.unitPrice, r.detail!).toBe(price);
      expect(r.amountChange, r.detail!).toBeCloseTo((r.unitsAfter! - r.unitsBefore!) * price, 6);
      expect(r.reason).toBe('count');
    }
    expect(run.amountChange).toBeCloseTo(set.reduce((s, r) => s + r.amountChange!, 0), 6);
    expect(unitsOn(m.a.autotaskContractId, 301)).toBe(10);
  });

  it('prices a dry run from the batched read, and says null for a service not yet on the contract', async () => {
    setUsers(m.a.pbCompanyId, 'pb-standard', 12);
    const before = state().adjustments.length;
    const { run } = await sync({ dryRun: true });
    expect(state().adjustments.length).toBe(before);
    const [std] = resultsOf(run.results, m.a.pbCompanyId).filter((r) => r.autotaskServiceId === 301);
    expect(std).toMatchObject({ action: 'would_set', unitsBefore: 10, unitsAfter: 12, unitPrice: priceOf(m.a.autotaskContractId, 301), amountChange: 2 * priceOf(m.a.autotaskContractId, 301) });
    expect(run.amountChange).toBeCloseTo(run.results.filter((r) => r.action === 'would_set').reduce((s, r) => s + (r.amountChange ?? 0), 0), 6);
    for (const r of run.results.filter((x) => x.action === 'would_set' && x.unitsBefore === 0)) expect(r).toMatchObject({ unitPrice: null, amountChange: null });
  });

  it('holds two companies on one contract (legacy rows): flagged, not written, no flipping over two runs', async () => {
    await stack.db.db.execute(sql`update company_mappings set autotask_company_id = ${m.e.autotaskCompanyId}, autotask_contract_id = ${m.e.autotaskContractId}, autotask_contract_name = 'shared', contract_shared_legacy = true where partner_id = ${stack.partnerId} and pb_company_id = ${m.f.pbCompanyId}`);
    const units = unitsOn(m.e.autotaskContractId, 301);
    for (let i = 0; i < 2; i++) {
      const { run, posted } = await sync();
      expect(posted.filter((p) => p.contractID === m.e.autotaskContractId)).toEqual([]);
      expect(unitsOn(m.e.autotaskContractId, 301)).toBe(units);
      for (const id of [m.e.pbCompanyId, m.f.pbCompanyId]) {
        expect(resultsOf(run.results, id)).toEqual([expect.objectContaining({ status: 'error', errorType: 'contract_shared' })]);
      }
    }
  });

  it('zeroes the service a product moved away from, in the same run, and says why (defect 2)', async () => {
    await putProducts(PREMIUM, 302);
    const { run } = await sync();
    const contract = m.a.autotaskContractId;
    expect({ 301: unitsOn(contract, 301), [PREMIUM]: unitsOn(contract, PREMIUM) }).toEqual({ 301: 0, [PREMIUM]: 12 });
    const zeroed = resultsOf(run.results, m.a.pbCompanyId).find((r) => r.autotaskServiceId === 301)!;
    expect(zeroed).toMatchObject({ action: 'set', status: 'ok', unitsBefore: 12, unitsAfter: 0, reason: 'moved_service', detail: expect.stringContaining('now billed through another service') });
    expect(zeroed.amountChange).toBeCloseTo(-12 * priceOf(contract, 301), 6);
    // The shared contract stays held: nothing moved on it.
    expect(unitsOn(m.e.autotaskContractId, 301)).toBeGreaterThan(0);
    // The next run has nothing left to move.
    const again = await sync();
    expect(again.posted.filter((p) => p.contractID === contract)).toEqual([]);
  });

  it('leaves a product set to not billed where it is, lists it, and warns about nothing (defect 11)', async () => {
    await putProducts(PREMIUM, null);
    const units = unitsOn(m.b.autotaskContractId, 302);
    expect(units).toBeGreaterThan(0);
    const { run, posted } = await sync();
    expect(posted.filter((p) => p.contractID === m.b.autotaskContractId && p.serviceID === 302)).toEqual([]);
    expect(unitsOn(m.b.autotaskContractId, 302)).toBe(units);
    const rows = resultsOf(run.results, m.b.pbCompanyId);
    expect(rows.find((r) => r.autotaskServiceId === 302)).toMatchObject({ action: 'left_behind', status: 'ok', unitsBefore: units, unitsAfter: units, detail: expect.stringContaining('not billed') });
    const list = await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/company-mappings?search=${m.b.pbCompanyId}`, headers: admin() });
    expect(list.json().items[0]).toMatchObject({ status: 'ok' });
  });

  it('zeroes the old contract in the run that maps a company to another live contract', async () => {
    await mapTo(m.c, NEW_CONTRACT);
    const count = latest().counts.find((x) => x.companyId === m.c.pbCompanyId && x.productId === 'pb-standard')!.users;
    expect(unitsOn(m.c.autotaskContractId, PREMIUM)).toBe(count);
    const { run } = await sync();
    expect(unitsOn(m.c.autotaskContractId, PREMIUM)).toBe(0);
    expect(unitsOn(NEW_CONTRACT, PREMIUM)).toBe(count);
    expect(resultsOf(run.results, m.c.pbCompanyId).find((r) => r.autotaskContractId === m.c.autotaskContractId && r.autotaskServiceId === PREMIUM)).toMatchObject({ reason: 'moved_contract', unitsAfter: 0 });
  });

  it('zeroes what an unmapped company left behind when asked (?release=zero), and the ledger shows it', async () => {
    const contract = m.d.autotaskContractId;
    const res = await stack.app.inject({ method: 'DELETE', url: `/v1/partners/${stack.partnerId}/company-mappings/${m.d.pbCompanyId}?release=zero`, headers: admin() });
    expect(res.statusCode, res.body).toBe(200);
    const leftBehind = res.json().leftBehind as Array<{ contractId: number; serviceId: number; units: number }>;
    expect(leftBehind.map((p) => [p.contractId, p.serviceId])).toEqual([[contract, 302], [contract, PREMIUM]]);
    const { run } = await sync();
    expect([unitsOn(contract, 302), unitsOn(contract, PREMIUM)]).toEqual([0, 0]);
    expect(resultsOf(run.results, m.d.pbCompanyId).map((r) => r.reason)).toEqual(['released', 'released']);
    const ledger = await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/billing-ledger?pbCompanyId=${m.d.pbCompanyId}`, headers: admin() });
    const body = ledger.json() as { items: Array<{ runId: string; units: number; reason: string }>; owned: unknown[] };
    expect(body.items.filter((i) => i.runId === run.id).map((i) => [i.units, i.reason])).toEqual([[0, 'released'], [0, 'released']]);
    expect(body.owned).toEqual([]);
    // Released once: the next run writes nothing for it.
    const again = await sync();
    expect(again.posted.filter((p) => p.contractID === contract)).toEqual([]);
  });

  it('bills a contract starting mid-period from its start date (defect 5)', async () => {
    await mapTo(m.g, LATE_CONTRACT);
    const count = latest().counts.find((x) => x.companyId === m.g.pbCompanyId && x.productId === 'pb-standard')!.users;
    const { run, posted } = await sync();
    const onLate = posted.filter((p) => p.contractID === LATE_CONTRACT);
    expect(onLate.map((p) => [p.serviceID, p.effectiveDate.slice(0, 10), p.unitChange])).toEqual([[PREMIUM, MID, count]]);
    expect(unitsOn(LATE_CONTRACT, PREMIUM, MID)).toBe(count);
    // The old contract bills until the new one starts.
    expect(unitsOn(m.g.autotaskContractId, PREMIUM, '2026-11-14')).toBe(count);
    expect(unitsOn(m.g.autotaskContractId, PREMIUM, MID)).toBe(0);
    expect(resultsOf(run.results, m.g.pbCompanyId).every((r) => r.status === 'ok')).toBe(true);
  });

  it('labels a count that fell to 0 as a count (defect 10)', async () => {
    setUsers(m.h.pbCompanyId, 'pb-standard', 0);
    const { run } = await sync();
    const row = resultsOf(run.results, m.h.pbCompanyId).find((r) => r.autotaskServiceId === PREMIUM)!;
    expect(row).toMatchObject({ action: 'set', unitsAfter: 0, reason: 'count' });
    expect(row.detail).not.toContain('no longer used');
  });

  it('exports the run as CSV with the same rows as its JSON', async () => {
    setUsers(m.a.pbCompanyId, 'pb-standard', 13);
    const { run } = await sync();
    const res = await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/sync-runs/${run.id}/results.csv`, headers: admin() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const [header, ...rows] = parseCsv(res.body);
    expect(header).toEqual(['company', 'company id', 'contract', 'service', 'units before', 'units after', 'unit price', 'amount change', 'adjustment id', 'status', 'reason', 'detail']);
    const asCells = (r: Result) => [String(r.pbCompanyId), r.autotaskContractId, r.autotaskServiceId, r.unitsBefore, r.unitsAfter, r.unitPrice, r.amountChange, r.adjustmentId, r.status, r.reason, r.detail].map((v) => (v === null ? '' : String(v)));
    expect(rows.map((r) => r.slice(1))).toEqual(run.results.map(asCells));
    const names = new Map(stack.sims.demo.passwordboss.partners[0]!.companies.map((c) => [c.id, c.name]));
    for (const r of rows) expect(r[0]).toBe(names.get(r[1]!));
  });
});


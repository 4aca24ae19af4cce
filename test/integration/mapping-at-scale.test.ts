/**
 * Mapping at scale (issue 17) through the API: suggestions (never applied by themselves), bulk
 * confirm answering each row on its own, the Autotask company type filter, and the filter for
 * the companies still to map.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BulkResultView, MappingSuggestionView } from '../../api/routes/company-suggestions.ts';
import { refreshCompanies } from '../../db/repositories/company-mappings.ts';
import { findPartner } from '../../db/repositories/partners.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner } from '../support/partner-setup.ts';

let stack: Stack;
let pid: string;
const call = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) =>
  stack.app.inject({ method, url: `/v1/partners/${pid}${url}`, headers: bearer(stack.adminKey), ...(payload !== undefined ? { payload: payload as object } : {}) });
const demo = () => stack.sims.demo;
const mappingOf = (id: string) => demo().mappings.find((m) => m.pbCompanyId === id)!;
type Suggestions = { items: MappingSuggestionView[]; total: number; unmatched: number; companyTypes: number[] };
const suggestions = async (qs = '') => {
  const res = await call('GET', `/company-mappings/suggestions?limit=500${qs}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Suggestions;
};
const mappedTotal = async () => (await call('GET', '/company-mappings?mapped=true&limit=1')).json().total as number;

beforeAll(async () => {
  stack = await startStack('pglite', { demo: { companies: 40 }, worker: false });
  pid = stack.partnerId;
  await setUpPartner(stack, { companies: () => false });
});
afterAll(async () => stack?.close());

describe('suggestions', () => {
  it('suggests every customer with its single live Recurring Service contract, exact names first, and saves nothing', async () => {
    const s = await suggestions();
    // c-0001 is the MSP itself, a Partner-type company in Autotask: hidden with the default Customers.
    expect(s.companyTypes).toEqual([1]);
    expect(s.items.map((i) => i.pbCompanyId)).not.toContain('c-0001');
    expect(s.total + s.unmatched).toBe(40);
    expect(s.items.filter((i) => i.candidates[0]!.match === 'exact').length).toBeGreaterThanOrEqual(30);
    const firstFuzzy = s.items.findIndex((i) => i.candidates[0]!.match === 'fuzzy');
    expect(s.items.slice(0, firstFuzzy === -1 ? undefined : firstFuzzy).every((i) => i.candidates[0]!.match === 'exact')).toBe(true);
    for (const item of s.items) {
      const expected = mappingOf(item.pbCompanyId);
      const best = item.candidates[0]!;
      // Inactive Autotask companies are never suggested; these fall back to a look-alike at best.
      if (demo().notable.inactive.includes(item.pbCompanyId)) {
        expect(item.candidates.map((c) => c.autotaskCompany.id)).not.toContain(expected.autotaskCompanyId);
        continue;
      }
      expect(best.autotaskCompany.id, item.pbCompanyName).toBe(expected.autotaskCompanyId);
      expect(best.reason).toMatch(best.match === 'exact' ? /^Same name/ : /^Similar name \(\d+%\)/);
      if (item.pbCompanyId === demo().notable.otherTypeOnly) {
        expect(best).toMatchObject({ contract: null, contractNote: expect.stringMatching(/^No live Recurring Service contract/) });
      } else if (item.pbCompanyId === demo().notable.endedContract) {
        // The ended contract is passed over for its renewal.
        expect(best.contract!.name).toMatch(/Managed Services 2$/);
      } else {
        expect(best.contract, item.pbCompanyName).toEqual({ id: expected.autotaskContractId, name: expected.autotaskContractName });
      }
    }
    // A legal suffix and different case are still exact; "(HQ)" is not a legal suffix.
    const hq = s.items.find((i) => mappingOf(i.pbCompanyId).autotaskCompanyName.endsWith('(HQ)'));
    if (hq) expect(hq.candidates[0]).toMatchObject({ match: 'fuzzy', reason: expect.stringContaining("only in Autotask: 'hq'") });
    expect(await mappedTotal()).toBe(0);
  });

  it('filters by Autotask company type: Partners on request, Prospects only when asked', async () => {
    const partners = await suggestions('&companyTypes=8');
    expect(partners.items.map((i) => i.pbCompanyId)).toEqual(['c-0001']);
    expect(partners.items[0]!.candidates[0]).toMatchObject({ match: 'fuzzy', autotaskCompany: { type: 8 }, reason: expect.stringContaining("only in Autotask: 'internal'") });
    const prospects = await call('GET', '/autotask/companies?search=Prospect&types=3');
    expect(prospects.json().items.length).toBeGreaterThan(0);
    expect(prospects.json().items.every((c: { type: number }) => c.type === 3)).toBe(true);
    expect((await call('GET', '/autotask/companies?search=Prospect&types=1')).json().items).toEqual([]);
    expect((await call('GET', '/company-mappings/suggestions?companyTypes=5')).statusCode).toBe(400);
  });

  it("proposes no contract that another company holds, naming that company", async () => {
    const holder = mappingOf('c-0004');
    const res = await call('PUT', '/company-mappings/c-0003', { autotaskCompanyId: holder.autotaskCompanyId, autotaskContractId: holder.autotaskContractId });
    expect(res.statusCode, res.body).toBe(200);
    const s = await suggestions();
    expect(s.items.map((i) => i.pbCompanyId)).not.toContain('c-0003');
    const c4 = s.items.find((i) => i.pbCompanyId === 'c-0004')!;
    expect(c4.candidates[0]).toMatchObject({ contract: null, contractNote: `Its live Recurring Service contract is already mapped to '${res.json().pbCompanyName}'` });
  });
});

describe('bulk confirm', () => {
  it('confirms 30 suggested matches in one action, and answers each bad row on its own', async () => {
    const s = await suggestions();
    const proposed = s.items.filter((i) => i.candidates[0]!.contract).slice(0, 30);
    expect(proposed).toHaveLength(30);
    const rows = proposed.map((i) => ({ pbCompanyId: i.pbCompanyId, autotaskCompanyId: i.candidates[0]!.autotaskCompany.id, autotaskContractId: i.candidates[0]!.contract!.id }));
    const taken = mappingOf('c-0004');
    const blockHours = demo().autotask.contracts.find((c) => c.companyID === mappingOf(demo().notable.otherTypeOnly).autotaskCompanyId)!;
    const bad = [
      // c-0003 holds c-0004's contract already.
      { pbCompanyId: 'c-0004', autotaskCompanyId: taken.autotaskCompanyId, autotaskContractId: taken.autotaskContractId },
      { pbCompanyId: demo().notable.otherTypeOnly, autotaskCompanyId: blockHours.companyID, autotaskContractId: blockHours.id },
      { pbCompanyId: 'c-never-created', autotaskCompanyId: taken.autotaskCompanyId, autotaskContractId: taken.autotaskContractId },
      { pbCompanyId: 'c-0001', autotaskCompanyId: 987_654, autotaskContractId: taken.autotaskContractId },
    ];
    // The bad rows sit among the good ones: none of them may sink a row after it.
    const items = [bad[0]!, ...rows.slice(0, 10), bad[1]!, ...rows.slice(10, 20), bad[2]!, ...rows.slice(20), bad[3]!];
    const res = await call('POST', '/company-mappings/bulk', { items });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { results: BulkResultView[]; saved: number; failed: number };
    expect(body.saved).toBe(30);
    expect(body.failed).toBe(4);
    expect(body.results.map((r) => r.pbCompanyId)).toEqual(items.map((i) => i.pbCompanyId));
    const byId = new Map(body.results.map((r) => [r.pbCompanyId, r]));
    expect(byId.get('c-0004')).toMatchObject({ status: 422, error: { code: 'contract_taken', details: { pbCompanyId: 'c-0003' } } });
    expect(byId.get(demo().notable.otherTypeOnly)).toMatchObject({ status: 422, error: { code: 'contract_not_recurring' } });
    expect(byId.get('c-never-created')).toMatchObject({ status: 404, error: { code: 'not_found' } });
    expect(byId.get('c-0001')).toMatchObject({ status: 422, error: { code: 'company_not_found' } });
    for (const r of rows) expect(byId.get(r.pbCompanyId)).toMatchObject({ status: 200, mapping: { mapped: true, contract: { id: r.autotaskContractId } } });
    expect(await mappedTotal()).toBe(31);
  });

  it('refuses a contract two rows of one request both ask for: the second gets contract_taken', async () => {
    const free = (await suggestions()).items.find((i) => i.candidates[0]!.contract)!;
    const row = { autotaskCompanyId: free.candidates[0]!.autotaskCompany.id, autotaskContractId: free.candidates[0]!.contract!.id };
    const other = (await call('GET', '/company-mappings?mapped=false&excluded=false&limit=500')).json().items.find((i: { pbCompanyId: string }) => i.pbCompanyId !== free.pbCompanyId);
    const res = await call('POST', '/company-mappings/bulk', { items: [{ pbCompanyId: free.pbCompanyId, ...row }, { pbCompanyId: other.pbCompanyId, ...row }] });
    expect(res.json().results.map((r: BulkResultView) => [r.status, r.error?.code])).toEqual([[200, undefined], [422, 'contract_taken']]);
  });

  it('refuses a malformed request as a whole', async () => {
    const row = { pbCompanyId: 'c-0002', autotaskCompanyId: 1, autotaskContractId: 1 };
    expect((await call('POST', '/company-mappings/bulk', { items: [] })).statusCode).toBe(400);
    expect((await call('POST', '/company-mappings/bulk', { items: [row, row] })).statusCode).toBe(400);
    expect((await call('POST', '/company-mappings/bulk', { items: Array.from({ length: 501 }, (_, i) => ({ ...row, pbCompanyId: `c-${i}` })) })).statusCode).toBe(400);
    // Autotask ids are int32: a larger one is refused here, for the bulk rows and the single PUT.
    expect((await call('POST', '/company-mappings/bulk', { items: [{ ...row, autotaskContractId: 2 ** 31 }] })).statusCode).toBe(400);
    expect((await call('PUT', '/company-mappings/c-0002', { autotaskCompanyId: 2 ** 31, autotaskContractId: 1 })).statusCode).toBe(400);
  });
});

describe('the companies still to map', () => {
  it('counts and lists the companies neither mapped nor excluded', async () => {
    const all = (await call('GET', '/company-mappings?limit=1')).json().total as number;
    const mapped = await mappedTotal();
    const before = (await call('GET', '/company-mappings?mapped=false&excluded=false&limit=500')).json();
    expect(before.total).toBe(all - mapped);
    const victim = before.items[0].pbCompanyId as string;
    expect((await call('PUT', `/company-mappings/${victim}`, { excluded: true })).statusCode).toBe(200);
    const after = (await call('GET', '/company-mappings?mapped=false&excluded=false&limit=500')).json();
    expect(after.total).toBe(before.total - 1);
    expect(after.items.map((i: { pbCompanyId: string }) => i.pbCompanyId)).not.toContain(victim);
    expect((await call('GET', '/company-mappings?excluded=true')).json().items.map((i: { pbCompanyId: string }) => i.pbCompanyId)).toEqual([victim]);
    // An excluded company is not suggested either: it is billed by hand.
    expect((await suggestions()).items.map((i) => i.pbCompanyId)).not.toContain(victim);
  });
});

describe('re-reading the Password Boss list', () => {
  it('writes nothing when nothing changed, so cached pages of the list stay valid', async () => {
    const companies = stack.sims.passwordboss.partner(pid)!.companies;
    const version = async () => (await findPartner(stack.db.db, pid))!.companiesVersion;
    const before = await version();
    await refreshCompanies(stack.db.db, pid, companies);
    expect(await version()).toBe(before);
    await refreshCompanies(stack.db.db, pid, companies.map((c, i) => (i === 5 ? { ...c, name: `${c.name} (renamed)` } : c)));
    expect(await version()).toBe(before + 1);
  });
});

/**
 * The history the portal pages through (issue 17): every run paged with a total, filtered by
 * status, and run details that carry names (company, product, service, contract) beside the ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRun, finishRun } from '../../db/repositories/sync-runs.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner, syncNow } from '../support/partner-setup.ts';

let stack: Stack;
const get = async (url: string) => {
  const res = await stack.app.inject({ url, headers: bearer(stack.adminKey) });
  return { status: res.statusCode, body: res.json() };
};

beforeAll(async () => {
  stack = await startStack('pglite', { demo: { companies: 6 } });
  await setUpPartner(stack);
});
afterAll(async () => {
  await stack?.close();
});

describe('the run history', () => {
  it('names the company, product, service and contract of every result row', async () => {
    const { run } = await syncNow(stack, stack.partnerId);
    const { body } = await get(`/v1/partners/${stack.partnerId}/sync-runs/${run.id}`);
    const withService = body.results.filter((r: { autotaskServiceId: number | null }) => r.autotaskServiceId !== null);
    expect(withService.length).toBeGreaterThan(0);
    const companies = new Map(stack.sims.demo.passwordboss.partners[0]!.companies.map((c) => [c.id, c.name]));
    const contracts = new Map(stack.sims.demo.mappings.map((m) => [m.pbCompanyId, m.autotaskContractName]));
    for (const r of withService) {
      expect(r.pbCompanyName).toBe(companies.get(r.pbCompanyId));
      expect(r.productName).toBe(r.productId === 'pb-standard' ? 'Password Boss Standard' : 'Password Boss Advanced');
      expect(r.serviceName).toBe(r.autotaskServiceId === 301 ? 'Password Boss Standard' : 'Password Boss Advanced');
      expect(r.contractName).toBe(contracts.get(r.pbCompanyId));
    }
  });

  it('pages through every run with a total, and filters by status', async () => {
    const pid = stack.partnerId;
    // 25 finished runs beside the real one: errors every fifth, a warning every seventh.
    for (let i = 0; i < 25; i++) {
      const id = `0190f0f0-0000-7000-8000-${String(i).padStart(12, '0')}`;
      await ensureRun(stack.db.db, { id, partnerId: pid, workflowId: `w-${i}`, trigger: 'schedule', dryRun: false });
      await finishRun(stack.db.db, id, i % 5 === 0 ? 'error' : i % 7 === 0 ? 'warning' : 'ok', null);
    }
    const first = await get(`/v1/partners/${pid}/sync-runs?limit=10`);
    expect(first.body.total).toBe(26);
    expect(first.body.items).toHaveLength(10);
    const pages = [first.body.items];
    for (let offset = 10; offset < 26; offset += 10) pages.push((await get(`/v1/partners/${pid}/sync-runs?limit=10&offset=${offset}`)).body.items);
    const ids = pages.flat().map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(26);
    const started = pages.flat().map((r: { startedAt: string }) => r.startedAt);
    expect([...started].sort().reverse()).toEqual(started);

    const errors = await get(`/v1/partners/${pid}/sync-runs?status=error,failed&limit=50`);
    expect(errors.body.total).toBe(5);
    expect(errors.body.items.map((r: { status: string }) => r.status)).toEqual(Array(5).fill('error'));
    const problems = await get(`/v1/partners/${pid}/sync-runs?status=error,warning,failed&limit=50`);
    expect(problems.body.total).toBe(8);
  });

  it('refuses a status that is not a run status, or one given twice', async () => {
    expect((await get(`/v1/partners/${stack.partnerId}/sync-runs?status=broken`)).status).toBe(400);
    expect((await get(`/v1/partners/${stack.partnerId}/sync-runs?status=error,error`)).status).toBe(400);
    expect((await get(`/v1/partners/${stack.partnerId}/sync-runs?status=`)).status).toBe(400);
  });
});

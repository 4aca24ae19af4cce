/**
 * The mapping API's billing rules (docs/design.md rules 6 and 8b): one contract, one company; unmapping
 * and excluding answer the units left behind and honour `?release=`; the ledger is served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordLedgerWrite, type LedgerWrite } from '../../db/repositories/billing-ledger.ts';
import { listPendingReleases } from '../../db/repositories/pending-releases.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner } from '../support/partner-setup.ts';

let stack: Stack;
let pid: string;
const call = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, payload?: unknown, key = stack.adminKey) =>
  stack.app.inject({ method, url: `/v1/partners/${pid}${url}`, headers: bearer(key), ...(payload !== undefined ? { payload: payload as object } : {}) });
const mappingOf = (id: string) => stack.sims.demo.mappings.find((m) => m.pbCompanyId === id)!;
const runId = (n: number) => `0190f0f0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const ledger = (over: Partial<LedgerWrite>): Promise<void> =>
  recordLedgerWrite(stack.db.db, pid, { runId: runId(1), contractId: 1, serviceId: 301, effectiveDate: '2026-11-01', units: 5, pbCompanyId: 'c-0002', productIds: ['pb-standard'], reason: 'count', ...over });

beforeAll(async () => {
  stack = await startStack('pglite', { demo: { companies: 12 }, worker: false });
  pid = stack.partnerId;
  await setUpPartner(stack);
});
afterAll(async () => stack?.close());

describe('one contract, one company (defect 1)', () => {
  it('refuses a contract another company holds, naming that company', async () => {
    const holder = mappingOf('c-0004');
    const res = await call('PUT', '/company-mappings/c-0005', { autotaskCompanyId: holder.autotaskCompanyId, autotaskContractId: holder.autotaskContractId });
    expect(res.statusCode, res.body).toBe(422);
    const name = (await call('GET', '/company-mappings?search=c-0004')).json().items[0].pbCompanyName;
    expect(res.json().error).toEqual({
      code: 'contract_taken',
      message: expect.stringContaining(`is already mapped to '${name}' (c-0004)`),
      details: { rule: 'contract_taken', pbCompanyId: 'c-0004', pbCompanyName: name },
    });
    expect((await call('GET', '/company-mappings?search=c-0005')).json().items[0].contract.id).toBe(mappingOf('c-0005').autotaskContractId);
  });

  it('refuses an inactive contract, which Autotask takes no units on, and the look-up says why', async () => {
    const own = mappingOf('c-0006');
    stack.sims.autotask.state.setContractStatus(own.autotaskContractId, 0);
    try {
      const res = await call('PUT', '/company-mappings/c-0006', { autotaskCompanyId: own.autotaskCompanyId, autotaskContractId: own.autotaskContractId });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'contract_inactive', message: expect.stringContaining('activate it in Autotask or pick an active contract') });
      const listed = (await call('GET', `/autotask/companies/${own.autotaskCompanyId}/contracts`)).json().items.find((c: { id: number }) => c.id === own.autotaskContractId);
      expect(listed).toMatchObject({ eligible: false, reason: expect.stringContaining('is inactive in Autotask') });
    } finally {
      stack.sims.autotask.state.setContractStatus(own.autotaskContractId, 1);
    }
  });

  it('lets exactly one of two simultaneous saves take a free contract', async () => {
    const free = mappingOf('c-0004');
    await call('DELETE', '/company-mappings/c-0004');
    const body = { autotaskCompanyId: free.autotaskCompanyId, autotaskContractId: free.autotaskContractId };
    const answers = await Promise.all(['c-0004', 'c-0005'].map((id) => call('PUT', `/company-mappings/${id}`, body)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 422]);
    expect(answers.find((a) => a.statusCode === 422)!.json().error.code).toBe('contract_taken');
    const winner = answers.find((a) => a.statusCode === 200)!.json().pbCompanyId;
    if (winner === 'c-0005') {
      await call('DELETE', '/company-mappings/c-0005');
      const back = mappingOf('c-0005');
      expect((await call('PUT', '/company-mappings/c-0005', { autotaskCompanyId: back.autotaskCompanyId, autotaskContractId: back.autotaskContractId })).statusCode).toBe(200);
      expect((await call('PUT', '/company-mappings/c-0004', body)).statusCode).toBe(200);
    }
  });
});

describe('stops answer what they leave behind (defect 2)', () => {
  it('unmaps with the owned pairs that keep their units, and ?release=zero asks the next run to zero them', async () => {
    const contract = mappingOf('c-0002').autotaskContractId;
    await ledger({ contractId: contract, serviceId: 301, units: 7 });
    await ledger({ contractId: contract, serviceId: 302, units: 0, productIds: ['pb-advanced'] });
    const res = await call('DELETE', '/company-mappings/c-0002?release=zero');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ mapped: false, contract: null, leftBehind: [{ contractId: contract, serviceId: 301, units: 7 }], release: 'zero' });
    expect(await listPendingReleases(stack.db.db, pid)).toEqual([{ contractId: contract, serviceId: 301, pbCompanyId: 'c-0002', units: 7 }]);

    const kept = await call('DELETE', '/company-mappings/c-0002');
    expect(kept.json()).toMatchObject({ leftBehind: [{ contractId: contract, serviceId: 301, units: 7 }], release: 'keep' });
    expect(await listPendingReleases(stack.db.db, pid)).toEqual([]);
    expect((await call('DELETE', '/company-mappings/c-0002?release=all')).statusCode).toBe(400);
  });

  it('excludes a company: unmapped, status excluded, no sync, and the same leftBehind answer', async () => {
    const m = mappingOf('c-0003');
    await ledger({ runId: runId(2), contractId: m.autotaskContractId, serviceId: 302, units: 4, pbCompanyId: 'c-0003', productIds: ['pb-advanced'] });
    const res = await call('PUT', '/company-mappings/c-0003?release=zero', { excluded: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ excluded: true, mapped: false, status: 'excluded', detail: null, leftBehind: [{ contractId: m.autotaskContractId, serviceId: 302, units: 4 }], release: 'zero' });
    expect((await call('GET', '/company-mappings?status=excluded')).json().items.map((c: { pbCompanyId: string }) => c.pbCompanyId)).toEqual(['c-0003']);
    // Its contract is free again; mapping the company back ends the exclusion and withdraws the release.
    const back = await call('PUT', '/company-mappings/c-0003', { autotaskCompanyId: m.autotaskCompanyId, autotaskContractId: m.autotaskContractId });
    expect(back.json()).toMatchObject({ excluded: false, mapped: true });
    expect((await listPendingReleases(stack.db.db, pid)).filter((r) => r.pbCompanyId === 'c-0003')).toEqual([]);
    expect((await call('PUT', '/company-mappings/c-0003', { excluded: false })).json()).toMatchObject({ excluded: false, mapped: true });
  });
});

describe('the billing ledger', () => {
  it('serves the writes newest first and the pairs owned now, per company', async () => {
    const contract = mappingOf('c-0006').autotaskContractId;
    await ledger({ runId: runId(3), contractId: contract, serviceId: 301, units: 9, pbCompanyId: 'c-0006' });
    await ledger({ runId: runId(4), contractId: contract, serviceId: 301, units: 0, pbCompanyId: 'c-0006', reason: 'moved_service' });
    await ledger({ runId: runId(4), contractId: contract, serviceId: 305, units: 9, pbCompanyId: 'c-0006' });
    const res = await call('GET', '/billing-ledger?pbCompanyId=c-0006');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.items.map((r: { serviceId: number; units: number; reason: string }) => [r.serviceId, r.units, r.reason])).toEqual(
      expect.arrayContaining([[301, 0, 'moved_service'], [305, 9, 'count']])
    );
    expect(body.items.at(-1)).toMatchObject({ serviceId: 301, units: 9, runId: runId(3), productIds: ['pb-standard'], effectiveDate: '2026-11-01' });
    expect(body.items[0]).not.toHaveProperty('partnerId');
    expect(body.owned).toEqual([{ contractId: contract, serviceId: 305, units: 9, effectiveDate: '2026-11-01', runId: runId(4), pbCompanyId: 'c-0006', productIds: ['pb-standard'] }]);
    expect((await call('GET', '/billing-ledger?limit=2')).json().items).toHaveLength(2);
  });

  it('keeps another partner out', async () => {
    const created = await stack.app.inject({ method: 'POST', url: '/v1/partners', headers: bearer(stack.adminKey), payload: { id: `${pid}-other`, name: 'Other' } });
    expect(created.statusCode).toBe(201);
    const key = (await stack.app.inject({ method: 'POST', url: `/v1/partners/${pid}-other/api-keys`, headers: bearer(stack.adminKey), payload: {} })).json().key;
    expect((await call('GET', '/billing-ledger', undefined, key)).statusCode).toBe(404);
  });

  it('documents the routes with an operationId, a description and an example', async () => {
    const doc = (await stack.app.inject({ url: '/docs/json' })).json();
    const ops = [doc.paths['/v1/partners/{pid}/billing-ledger'].get, doc.paths['/v1/partners/{pid}/company-mappings/{pbCompanyId}'].put, doc.paths['/v1/partners/{pid}/company-mappings/{pbCompanyId}'].delete];
    expect(ops.map((o) => o.operationId)).toEqual(['getBillingLedger', 'putCompanyMapping', 'deleteCompanyMapping']);
    for (const op of ops) {
      expect(op.description.length).toBeGreaterThan(40);
      expect(op.responses['200'].content['application/json'].example).toMatchObject({});
    }
  });
});

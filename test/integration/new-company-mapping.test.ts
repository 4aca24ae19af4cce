/**
 * A company created in Password Boss a moment ago can be mapped at once (issue 15): the API's
 * company list is read every 5 minutes, so on a miss it looks the one company up in Password Boss.
 * Over real HTTP: the API listens, its Password Boss client talks to the simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner } from '../support/partner-setup.ts';

let stack: Stack;
let base: string;
let free: { autotaskCompanyId: number; autotaskContractId: number };

const call = async (method: 'GET' | 'PUT', path: string, body?: unknown) => {
  const res = await fetch(`${base}/v1/partners/${stack.partnerId}${path}`, {
    method,
    headers: { ...bearer(stack.adminKey), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { items?: Array<{ pbCompanyId: string; pbCompanyName: string; mapped: boolean }>; total?: number; error?: { code: string; message: string } } };
};
/** Requests the simulator saw for the partner's company list (not the single-company lookups). */
const listReads = () => stack.sims.passwordboss.faults.log.filter((r) => r.path === `/v1/partners/${stack.partnerId}/companies`).length;

beforeAll(async () => {
  stack = await startStack('pglite', { demo: { companies: 12 }, worker: false });
  // Every demo company but one is mapped; that one's contract stays free for the new company.
  const spare = stack.sims.demo.mappings.find((m) => m.pbCompanyId !== stack.sims.demo.notable.endedContract && m.pbCompanyId !== stack.sims.demo.notable.otherTypeOnly)!;
  free = { autotaskCompanyId: spare.autotaskCompanyId, autotaskContractId: spare.autotaskContractId };
  await setUpPartner(stack, { companies: (id) => id !== spare.pbCompanyId });
  base = await stack.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => stack?.close());

describe('a company added to Password Boss a moment ago', () => {
  it('is mapped at once, and the company list shows it at once', async () => {
    const before = await call('GET', '/company-mappings?limit=500');
    expect(before.status).toBe(200);
    const total = before.json.total!;
    const reads = listReads();

    stack.sims.passwordboss.partner(stack.partnerId)!.companies.push({ id: 'c-fresh', name: 'Fresh Dental Care', type: 'customer', active: true });
    // The list read a moment ago is still trusted: the new company is not in it yet.
    expect((await call('GET', '/company-mappings?search=c-fresh')).json.total).toBe(0);

    const mapped = await call('PUT', '/company-mappings/c-fresh', free);
    expect(mapped.status, JSON.stringify(mapped.json)).toBe(200);
    expect(mapped.json).toMatchObject({ pbCompanyId: 'c-fresh', pbCompanyName: 'Fresh Dental Care', active: true, mapped: true, contract: { id: free.autotaskContractId } });
    // One lookup, not a re-read of the whole list.
    expect(listReads()).toBe(reads);

    // The same page as before (served from the cache until the rows change) now has it, mapped.
    const after = await call('GET', '/company-mappings?limit=500');
    expect(after.json.total).toBe(total + 1);
    expect(after.json.items!.find((i) => i.pbCompanyId === 'c-fresh')).toMatchObject({ pbCompanyName: 'Fresh Dental Care', mapped: true });
  });

  it('can be excluded at once too', async () => {
    stack.sims.passwordboss.partner(stack.partnerId)!.companies.push({ id: 'c-fresh-2', name: 'Fresh Optics', type: 'customer', active: true });
    const res = await call('PUT', '/company-mappings/c-fresh-2', { excluded: true });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json).toMatchObject({ pbCompanyId: 'c-fresh-2', excluded: true, leftBehind: [] });
  });

  it('answers 404 for an id Password Boss does not know either, saying so', async () => {
    const res = await call('PUT', '/company-mappings/c-never-created', free);
    expect(res.status).toBe(404);
    expect(res.json.error).toEqual({ code: 'not_found', message: expect.stringMatching(/Password Boss has no company 'c-never-created' for this partner; check the id/) });
    expect((await call('GET', '/company-mappings?search=c-never-created')).json.total).toBe(0);
  });
});

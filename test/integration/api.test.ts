/**
 * The REST API the portal calls: every endpoint, tenancy, secrets, bad input, the error shape,
 * and the OpenAPI document — through `inject`, and a few calls over a real listener.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../api/app.ts';
import { logRedactPaths } from '../../runtime/logger.ts';
import { setCompanyOutcome } from '../../db/repositories/company-mappings.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner, syncNow } from '../support/partner-setup.ts';

let stack: Stack;
let pid: string;
let partnerKey: string;
let otherKey: string;
let logged = '';
let loggedApp: App;
const SECRET = 'demo-secret-Northwind-2026';

const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, key: string, payload?: unknown, app: App = stack.app) =>
  app.inject({ method, url, headers: bearer(key), ...(payload !== undefined ? { payload: payload as object } : {}) });

beforeAll(async () => {
  stack = await startStack('pglite', { demo: { companies: 20 } });
  pid = stack.partnerId;
  const capture = new Writable({ write(chunk, _enc, done) { logged += chunk.toString(); done(); } });
  loggedApp = await buildApp({ services: stack.deps, dbPing: async () => {}, temporal: { client: stack.client, ping: async () => {} }, adminApiKey: stack.adminKey, taskQueue: stack.taskQueue, namespace: 'default', logger: pino({ level: 'debug', redact: { paths: logRedactPaths, censor: '[redacted]' } }, capture) });
  await setUpPartner(stack);
  partnerKey = (await call('POST', `/v1/partners/${pid}/api-keys`, stack.adminKey, { label: 'portal' })).json().key;
  await call('POST', '/v1/partners', stack.adminKey, { id: 'other-msp', name: 'Other MSP' });
  otherKey = (await call('POST', '/v1/partners/other-msp/api-keys', stack.adminKey, {})).json().key;
});
afterAll(async () => {
  await loggedApp?.close();
  await stack?.close();
});

describe('authentication and tenancy', () => {
  it('asks for a bearer key, and says so in the error shape', async () => {
    const res = await stack.app.inject({ url: `/v1/partners/${pid}/autotask` });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('Bearer') } });
    expect((await call('GET', `/v1/partners/${pid}/autotask`, 'pbas_not-a-real-key')).statusCode).toBe(401);
  });

  it('lets a partner key reach its own partner only; others look like they do not exist', async () => {
    expect((await call('GET', `/v1/partners/${pid}/autotask`, partnerKey)).statusCode).toBe(200);
    const routes: Array<[Parameters<typeof call>[0], string, unknown?]> = [
      ['GET', `/v1/partners/${pid}`],
      ['GET', `/v1/partners/${pid}/autotask`],
      ['POST', `/v1/partners/${pid}/autotask/authenticate`, { username: 'x@y.z', secret: 's' }],
      ['PUT', `/v1/partners/${pid}/autotask`, { username: 'x@y.z', secret: 's', enabled: true }],
      ['PATCH', `/v1/partners/${pid}/autotask`, { enabled: false }],
      ['GET', `/v1/partners/${pid}/autotask/services`],
      ['GET', `/v1/partners/${pid}/autotask/companies?search=a`],
      ['GET', `/v1/partners/${pid}/autotask/companies/1002/contracts`],
      ['GET', `/v1/partners/${pid}/product-mappings`],
      ['PUT', `/v1/partners/${pid}/product-mappings`, { mappings: [] }],
      ['GET', `/v1/partners/${pid}/schedule`],
      ['PUT', `/v1/partners/${pid}/schedule`, { frequency: 'daily', time: '06:00', timezone: 'UTC' }],
      ['GET', `/v1/partners/${pid}/company-mappings`],
      ['PUT', `/v1/partners/${pid}/company-mappings/c-0002`, { autotaskCompanyId: 1002, autotaskContractId: 5001 }],
      ['DELETE', `/v1/partners/${pid}/company-mappings/c-0002`],
      ['POST', `/v1/partners/${pid}/sync`, {}],
      ['GET', `/v1/partners/${pid}/sync-runs`],
      ['GET', `/v1/partners/${pid}/sync-runs/0190f0f0-0000-7000-8000-000000000001`],
    ];
    for (const [method, url, body] of routes) {
      const theirs = await call(method, url, otherKey, body);
      const nobody = await call(method, url.replace(pid, 'no-such-partner'), partnerKey, body);
      expect(theirs.statusCode, `${method} ${url}`).toBe(404);
      expect(theirs.json().error.code, `${method} ${url}`).toBe('not_found');
      expect(nobody.statusCode, `${method} ${url}`).toBe(404);
      expect(theirs.json().error.message.replace(pid, '?')).toBe(nobody.json().error.message.replace('no-such-partner', '?'));
    }
    expect((await call('GET', `/v1/partners/${pid}/autotask`, partnerKey)).json().enabled).toBe(true);
  });

  it('keeps partner administration for the admin key', async () => {
    expect((await call('POST', '/v1/partners', partnerKey, { name: 'Sneaky' })).statusCode).toBe(403);
    expect((await call('POST', `/v1/partners/${pid}/api-keys`, partnerKey, {})).statusCode).toBe(403);
    expect((await call('GET', '/v1/partners', partnerKey)).statusCode).toBe(403);
  });

  it('mints keys shown once, lists them without the key, and revokes them', async () => {
    const minted = (await call('POST', `/v1/partners/${pid}/api-keys`, stack.adminKey, { label: 'temp' })).json();
    expect(minted.key).toMatch(/^pbas_/);
    const list = (await call('GET', `/v1/partners/${pid}/api-keys`, stack.adminKey)).json();
    expect(JSON.stringify(list)).not.toContain(minted.key);
    expect((await call('GET', `/v1/partners/${pid}/autotask`, minted.key)).statusCode).toBe(200);
    expect((await call('DELETE', `/v1/partners/${pid}/api-keys/${minted.id}`, stack.adminKey)).statusCode).toBe(204);
    expect((await call('GET', `/v1/partners/${pid}/autotask`, minted.key)).statusCode).toBe(401);
  });
});

describe('Autotask settings', () => {
  it('never returns the secret, only that there is one', async () => {
    const res = await call('GET', `/v1/partners/${pid}/autotask`, partnerKey);
    expect(res.json()).toMatchObject({ configured: true, hasSecret: true, enabled: true, username: stack.sims.demo.credentials.username, zone: { name: 'America East (simulated)' } });
    expect(res.body).not.toContain(SECRET);
  });

  it('authenticates and says which part failed and what to do', async () => {
    const user = stack.sims.demo.credentials.username;
    const ok = (await call('POST', `/v1/partners/${pid}/autotask/authenticate`, partnerKey, { username: user })).json();
    expect(ok).toMatchObject({ ok: true, zone: { name: 'America East (simulated)' } });
    const wrong = (await call('POST', `/v1/partners/${pid}/autotask/authenticate`, partnerKey, { username: user, secret: 'wrong-one' })).json();
    expect(wrong).toMatchObject({ ok: false, failure: 'wrong_secret', message: expect.stringContaining('re-enter') });
    expect((await call('POST', `/v1/partners/${pid}/autotask/authenticate`, partnerKey, { username: 'ghost@nowhere.example', secret: 'x' })).json()).toMatchObject({ ok: false, failure: 'unknown_user' });
    expect((await call('POST', `/v1/partners/${pid}/autotask/authenticate`, partnerKey, { username: user, trackingIdentifier: 'NOT-A-KNOWN-CODE-123' })).json()).toMatchObject({ ok: false, failure: 'tracking_identifier' });
  });

  it('marks the saved settings checked only by a check of the saved credentials', async () => {
    const user = stack.sims.demo.credentials.username;
    const lastCheck = async () => (await call('GET', `/v1/partners/${pid}/autotask`, partnerKey)).json().lastAuthentication;
    await call('POST', `/v1/partners/${pid}/autotask/authenticate`, partnerKey, { username: user });
    const saved = await lastCheck();
    expect(saved).toMatchObject({ ok: true });
    // Typos tried in the form, never saved: the saved credentials still work, and the settings say so.
    expect((await call('POST', `/v1/partners/${pid}/autotask/authenticate`, partnerKey, { username: user, secret: 'typo-not-saved' })).json()).toMatchObject({ ok: false });
    expect((await call('POST', `/v1/partners/${pid}/autotask/authenticate`, partnerKey, { username: user, trackingIdentifier: 'NOT-A-KNOWN-CODE-123' })).json()).toMatchObject({ ok: false });
    expect(await lastCheck()).toEqual(saved);
    // The saved secret typed again is a check of the saved credentials: recorded.
    await new Promise((r) => setTimeout(r, 5));
    await call('POST', `/v1/partners/${pid}/autotask/authenticate`, partnerKey, { username: user, secret: SECRET });
    expect((await lastCheck()).at).not.toBe(saved.at);
  });

  it('re-checks changed credentials on save and refuses bad ones with 422', async () => {
    const user = stack.sims.demo.credentials.username;
    const bad = await call('PUT', `/v1/partners/${pid}/autotask`, partnerKey, { username: user, secret: 'typo', enabled: true });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({ code: 'autotask_wrong_secret' });
    const kept = await call('PUT', `/v1/partners/${pid}/autotask`, partnerKey, { username: user, enabled: true, countBasis: 'licenses' });
    expect(kept.statusCode).toBe(200);
    expect(kept.json()).toMatchObject({ countBasis: 'licenses', hasSecret: true });
    await call('PUT', `/v1/partners/${pid}/autotask`, partnerKey, { username: user, enabled: true, countBasis: 'users' });
  });

  it('answers 409 on the other sections until the settings were saved once', async () => {
    for (const url of ['product-mappings', 'schedule', 'company-mappings']) {
      const res = await call('GET', `/v1/partners/other-msp/${url}`, otherKey);
      expect(res.statusCode, url).toBe(409);
      expect(res.json().error.code).toBe('integration_not_saved');
    }
    expect((await call('POST', '/v1/partners/other-msp/sync', otherKey, {})).statusCode).toBe(409);
    expect((await call('PATCH', '/v1/partners/other-msp/autotask', otherKey, { enabled: true })).statusCode).toBe(409);
    expect((await call('GET', '/v1/partners/other-msp/autotask', otherKey)).json()).toMatchObject({ configured: false, hasSecret: false });
  });
});

describe('look-ups and mappings', () => {
  it('lists active services, searches companies, and marks recurring contracts', async () => {
    const services = (await call('GET', `/v1/partners/${pid}/autotask/services`, partnerKey)).json().items;
    expect(services.map((s: { id: number }) => s.id)).toEqual([301, 302, 304]);
    const companies = (await call('GET', `/v1/partners/${pid}/autotask/companies?search=prospect`, partnerKey)).json().items;
    expect(companies.length).toBeGreaterThan(0);
    const m = stack.sims.demo.mappings.find((x) => x.pbCompanyId === 'c-0009')!;
    const contracts = (await call('GET', `/v1/partners/${pid}/autotask/companies/${m.autotaskCompanyId}/contracts`, partnerKey)).json().items;
    expect(contracts[0]).toMatchObject({ recurring: true, eligible: true, reason: null });
    expect(contracts.find((c: { recurring: boolean }) => !c.recurring)).toMatchObject({ eligible: false, reason: expect.stringContaining('not a Recurring Service contract') });
  });

  it('caches look-ups briefly so browsing spends little of the Autotask budget', async () => {
    stack.sims.autotask.faults.log = [];
    for (let i = 0; i < 5; i++) await call('GET', `/v1/partners/${pid}/autotask/services`, partnerKey);
    expect(stack.sims.autotask.faults.log.filter((r) => /Services\/query/i.test(r.path))).toHaveLength(0);
  });

  it('shows products left and services right, and checks services on save', async () => {
    const list = (await call('GET', `/v1/partners/${pid}/product-mappings`, partnerKey)).json().items;
    expect(list).toEqual([
      { productId: 'pb-standard', productName: 'Password Boss Standard', autotaskServiceId: 301, autotaskServiceName: 'Password Boss Standard', notBilled: false },
      { productId: 'pb-advanced', productName: 'Password Boss Advanced', autotaskServiceId: 302, autotaskServiceName: 'Password Boss Advanced', notBilled: false },
    ]);
    const inactive = await call('PUT', `/v1/partners/${pid}/product-mappings`, partnerKey, { mappings: [{ productId: 'pb-standard', autotaskServiceId: 303 }] });
    expect(inactive.statusCode).toBe(422);
    expect(inactive.json().error.code).toBe('service_inactive');
    expect((await call('PUT', `/v1/partners/${pid}/product-mappings`, partnerKey, { mappings: [{ productId: 'pb-standard', autotaskServiceId: 999 }] })).json().error.code).toBe('service_not_found');
    expect((await call('PUT', `/v1/partners/${pid}/product-mappings`, partnerKey, { mappings: [{ productId: 'pb-nope', autotaskServiceId: 301 }] })).json().error.code).toBe('unknown_product');
  });

  it('leaves the products a save does not list as they were, and tells not billed from not mapped', async () => {
    const url = `/v1/partners/${pid}/product-mappings`;
    // A stale page or a client that sends only the product it changes: the other one is not "not billed".
    const one = await call('PUT', url, partnerKey, { mappings: [{ productId: 'pb-standard', autotaskServiceId: 301 }] });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json().items).toEqual([
      { productId: 'pb-standard', productName: 'Password Boss Standard', autotaskServiceId: 301, autotaskServiceName: 'Password Boss Standard', notBilled: false },
      { productId: 'pb-advanced', productName: 'Password Boss Advanced', autotaskServiceId: 302, autotaskServiceName: 'Password Boss Advanced', notBilled: false },
    ]);
    const stopped = (await call('PUT', url, partnerKey, { mappings: [{ productId: 'pb-advanced', autotaskServiceId: null }] })).json().items;
    expect(stopped[1]).toMatchObject({ productId: 'pb-advanced', autotaskServiceId: null, notBilled: true });
    expect(stopped[0]).toMatchObject({ productId: 'pb-standard', autotaskServiceId: 301 });
    expect((await call('PUT', url, partnerKey, { mappings: [{ productId: 'pb-advanced', autotaskServiceId: 302 }] })).json().items[1]).toMatchObject({ autotaskServiceId: 302, notBilled: false });
  });

  it('lists companies paged, searchable and filterable', async () => {
    const page = (await call('GET', `/v1/partners/${pid}/company-mappings?limit=5&offset=5`, partnerKey)).json();
    expect(page).toMatchObject({ total: 20, limit: 5, offset: 5 });
    expect(page.items).toHaveLength(5);
    const found = (await call('GET', `/v1/partners/${pid}/company-mappings?search=northwind`, partnerKey)).json();
    expect(found.items.map((i: { pbCompanyId: string }) => i.pbCompanyId)).toEqual(['c-0001']);
    expect((await call('GET', `/v1/partners/${pid}/company-mappings?mapped=false`, partnerKey)).json().items.every((i: { mapped: boolean }) => !i.mapped)).toBe(true);
  });

  it('serves a cached page only while no row of the partner changed, whoever changed it', async () => {
    const url = `/v1/partners/${pid}/company-mappings?search=c-0002`;
    const before = (await call('GET', url, partnerKey)).json();
    expect((await call('GET', url, partnerKey)).json()).toEqual(before);
    // A write from another process (the worker) goes straight to the database.
    await setCompanyOutcome(stack.db.db, pid, 'c-0002', { status: 'warning', detail: 'written elsewhere', lastSyncAt: new Date('2026-11-27T10:00:00Z'), lastRunId: '0190f0f0-0000-7000-8000-0000000000aa' });
    expect((await call('GET', url, partnerKey)).json().items[0]).toMatchObject({ status: 'warning', detail: 'written elsewhere', lastSyncAt: '2026-11-27T10:00:00.000Z' });
    expect((await call('GET', url, stack.adminKey)).json().items[0]).toMatchObject({ status: 'warning' });
  });

  it('refuses each broken contract rule with a 422 that names it', async () => {
    const demo = stack.sims.demo;
    const ended = demo.mappings.find((m) => m.pbCompanyId === demo.notable.endedContract)!;
    const other = demo.mappings.find((m) => m.pbCompanyId === demo.notable.otherTypeOnly)!;
    const someoneElse = demo.mappings.find((m) => m.pbCompanyId === 'c-0003')!;
    const cases: Array<[number, number, string]> = [
      [ended.autotaskCompanyId, ended.autotaskContractId, 'contract_ended'],
      [other.autotaskCompanyId, other.autotaskContractId, 'contract_not_recurring'],
      [ended.autotaskCompanyId, someoneElse.autotaskContractId, 'contract_wrong_company'],
      [ended.autotaskCompanyId, 999_999, 'contract_not_found'],
    ];
    for (const [companyId, contractId, code] of cases) {
      const res = await call('PUT', `/v1/partners/${pid}/company-mappings/${demo.notable.endedContract}`, partnerKey, { autotaskCompanyId: companyId, autotaskContractId: contractId });
      expect(res.statusCode, code).toBe(422);
      expect(res.json().error.code).toBe(code);
    }
    expect((await call('PUT', `/v1/partners/${pid}/company-mappings/${demo.notable.endedContract}`, partnerKey, { autotaskCompanyId: 77_777, autotaskContractId: 1 })).json().error.code).toBe('company_not_found');
    expect((await call('PUT', `/v1/partners/${pid}/company-mappings/c-9999`, partnerKey, { autotaskCompanyId: 1002, autotaskContractId: 5001 })).statusCode).toBe(404);
  });

  it('unmaps a company but keeps its status and history', async () => {
    const { run } = await syncNow(stack, pid, { companyIds: ['c-0002'] });
    expect(run.total).toBe(1);
    const res = await call('DELETE', `/v1/partners/${pid}/company-mappings/c-0002`, partnerKey);
    expect(res.json()).toMatchObject({ mapped: false, contract: null, status: 'ok', lastRunId: run.id });
    const history = (await call('GET', `/v1/partners/${pid}/sync-runs/${run.id}`, partnerKey)).json();
    expect(history.results.some((r: { pbCompanyId: string }) => r.pbCompanyId === 'c-0002')).toBe(true);
  });
});

describe('bad input', () => {
  const bodies: Array<[string, string, unknown]> = [
    ['PUT', `/autotask`, { username: 42, enabled: 'yes' }],
    ['PUT', `/autotask`, { enabled: true }],
    ['PUT', `/autotask`, { username: 'a@b.c', enabled: true, extra: 1 }],
    ['PATCH', `/autotask`, { enabled: 'on' }],
    ['POST', `/autotask/authenticate`, {}],
    ['PUT', `/product-mappings`, { mappings: [{ productId: 'pb-standard', autotaskServiceId: -1 }] }],
    ['PUT', `/product-mappings`, { mappings: 'all' }],
    ['PUT', `/schedule`, { frequency: 'hourly', time: '06:00', timezone: 'UTC' }],
    ['PUT', `/company-mappings/c-0003`, { autotaskCompanyId: 'x', autotaskContractId: 1 }],
    ['PUT', `/company-mappings/c-0003`, { autotaskCompanyId: 1 }],
    ['POST', `/sync`, { companyIds: [] }],
    ['POST', `/sync`, { dryRun: 'true' }],
  ];
  it.each(bodies)('%s %s with a wrong body answers 400 in the error shape', async (method, path, body) => {
    const res = await call(method as 'PUT', `/v1/partners/${pid}${path}`, partnerKey, body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'invalid_request', message: expect.any(String), details: expect.any(Array) } });
  });

  it('answers malformed JSON, huge bodies, bad ids and unknown routes with 4xx, never 500', async () => {
    const malformed = await stack.app.inject({ method: 'PUT', url: `/v1/partners/${pid}/autotask`, headers: { ...bearer(partnerKey), 'content-type': 'application/json' }, payload: '{"username": ' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.message).toMatch(/not valid JSON/);
    const huge = await stack.app.inject({ method: 'PUT', url: `/v1/partners/${pid}/product-mappings`, headers: { ...bearer(partnerKey), 'content-type': 'application/json' }, payload: JSON.stringify({ mappings: [], pad: 'x'.repeat(400_000) }) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('payload_too_large');
    expect((await call('GET', `/v1/partners/${pid}/sync-runs/not-a-uuid`, partnerKey)).statusCode).toBe(400);
    expect((await call('GET', `/v1/partners/${pid}/autotask/companies/abc/contracts`, partnerKey)).statusCode).toBe(400);
    expect((await call('GET', `/v1/partners/${pid}/company-mappings?limit=100000`, partnerKey)).statusCode).toBe(400);
    // A partner key is refused before validation (not its partner: 404); the admin's bad id is a 400.
    expect((await call('GET', `/v1/partners/UPPER CASE/autotask`, partnerKey)).statusCode).toBe(404);
    expect((await call('GET', `/v1/partners/UPPER CASE/autotask`, stack.adminKey)).statusCode).toBe(400);
    // Found by the fuzz run: PostgreSQL cannot store NUL, so it must never reach the database.
    const nul = await call('GET', `/v1/partners/${pid}/company-mappings?search=%C3%AF%00`, partnerKey);
    expect(nul.statusCode).toBe(400);
    expect(nul.json().error.message).toMatch(/NUL character/);
    expect((await call('PUT', `/v1/partners/${pid}/autotask`, partnerKey, { username: 'a\u0000b@c.d', enabled: true })).statusCode).toBe(400);
    expect((await call('GET', `/v1/partners/${pid}/company-mappings/c-00%0002`, partnerKey)).statusCode).toBeLessThan(500);
    const unknown = await call('GET', '/v1/nothing-here', partnerKey);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    const text = await stack.app.inject({ method: 'POST', url: `/v1/partners/${pid}/sync`, headers: { ...bearer(partnerKey), 'content-type': 'text/plain' }, payload: 'sync please' });
    expect(text.statusCode).toBe(400); // a string is not the JSON object the route takes
    expect(text.json().error.code).toBe('invalid_request');
  });
});

describe('secrets in logs', () => {
  it('never writes the Autotask secret or an API key to a log line', async () => {
    const user = stack.sims.demo.credentials.username;
    await call('POST', `/v1/partners/${pid}/autotask/authenticate`, partnerKey, { username: user, secret: SECRET }, loggedApp);
    await call('PUT', `/v1/partners/${pid}/autotask`, partnerKey, { username: user, secret: SECRET, enabled: true }, loggedApp);
    await call('PUT', `/v1/partners/${pid}/autotask`, partnerKey, { username: user, secret: 'wrong-secret-value', enabled: true }, loggedApp);
    await call('GET', `/v1/partners/${pid}/autotask`, 'pbas_guessing-a-key-value', undefined, loggedApp);
    expect(logged.length).toBeGreaterThan(100);
    for (const secret of [SECRET, 'wrong-secret-value', partnerKey, 'pbas_guessing-a-key-value', stack.adminKey]) expect(logged).not.toContain(secret);
    expect(logged).toContain('authentication failed');
  });
});

describe('operations and documentation', () => {
  it('serves the OpenAPI document with every route of the contract', async () => {
    const doc = (await stack.app.inject({ url: '/docs/json' })).json();
    const paths = Object.keys(doc.paths);
    for (const p of ['/v1/partners', '/v1/partners/{pid}/api-keys', '/v1/partners/{pid}/autotask', '/v1/partners/{pid}/autotask/authenticate', '/v1/partners/{pid}/autotask/services', '/v1/partners/{pid}/autotask/companies', '/v1/partners/{pid}/autotask/companies/{atCompanyId}/contracts', '/v1/partners/{pid}/product-mappings', '/v1/partners/{pid}/schedule', '/v1/partners/{pid}/company-mappings', '/v1/partners/{pid}/company-mappings/{pbCompanyId}', '/v1/partners/{pid}/sync', '/v1/partners/{pid}/sync-runs', '/v1/partners/{pid}/sync-runs/{runId}', '/healthz', '/readyz']) {
      expect(paths, p).toContain(p);
    }
    expect(doc.paths['/v1/partners/{pid}/autotask'].put.requestBody).toBeDefined();
    expect(doc.components.schemas.Error).toBeDefined();
    expect((await stack.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('answers over a real listener too', async () => {
    const address = await loggedApp.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${address}/v1/partners/${pid}/autotask`, { headers: bearer(partnerKey) });
    expect(res.status).toBe(200);
    expect((await fetch(`${address}/healthz`)).status).toBe(200);
    const bad = await fetch(`${address}/v1/partners/${pid}/sync`, { method: 'POST', headers: { ...bearer(partnerKey), 'content-type': 'application/json' }, body: '{' });
    expect(bad.status).toBe(400);
  });
});

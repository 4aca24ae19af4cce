/**
 * The API as an attacker probes it (issue 14): who may call is decided by the matched route
 * before the body is read, throttling answers 429 with Retry-After, slow and deeply nested
 * requests are cut off, every answer carries security headers, and partners are not sent to
 * the (untenanted) Temporal UI.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App, type AppDeps } from '../../api/app.ts';
import { mintApiKey } from '../../db/repositories/api-keys.ts';
import { refreshCompanies } from '../../db/repositories/company-mappings.ts';
import { insertPartner } from '../../db/repositories/partners.ts';
import { ensureRun } from '../../db/repositories/sync-runs.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
let pid: string;
let partnerKey: string;
let otherKey: string;
const apps: App[] = [];

function appWith(extra: Partial<AppDeps>): Promise<App> {
  return buildApp({
    services: stack.deps,
    dbPing: async () => {},
    temporal: { client: stack.client, ping: async () => {} },
    adminApiKey: stack.adminKey,
    taskQueue: stack.taskQueue,
    namespace: 'default',
    temporalUiUrl: 'http://127.0.0.1:8233',
    ...extra,
  }).then((app) => {
    apps.push(app);
    return app;
  });
}

/** Sends raw bytes over a socket and collects everything until the server closes it. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}
const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);

beforeAll(async () => {
  stack = await startStack('pglite', { worker: false });
  pid = stack.partnerId;
  await insertPartner(stack.db.db, { id: pid, name: 'Northwind', timezone: 'UTC' });
  await insertPartner(stack.db.db, { id: 'other-msp', name: 'Other', timezone: 'UTC' });
  partnerKey = (await mintApiKey(stack.db.db, pid)).key;
  otherKey = (await mintApiKey(stack.db.db, 'other-msp')).key;
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await stack?.close();
});

describe('authentication by the matched route', () => {
  let port: number;
  beforeAll(async () => {
    const app = await appWith({});
    port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
  });

  it('authenticates an encoded /v1 path and an absolute-form target (401, not a crash)', async () => {
    const encoded = await raw(port, 'GET /%76%31/me HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(statusOf(encoded), encoded).toBe(401);
    expect(encoded).toContain('"code":"unauthorized"');
    const absolute = await raw(port, `GET http://127.0.0.1:${port}/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(statusOf(absolute), absolute).toBe(401);
    const encodedBody = await raw(port, `POST /%76%31/partners HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
    expect(statusOf(encodedBody), encodedBody).toBe(401);
    // With a key the same encoded path reaches the route: it is the route, not the spelling, that counts.
    const withKey = await raw(port, `GET /%76%31/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${partnerKey}\r\nConnection: close\r\n\r\n`);
    expect(statusOf(withKey), withKey).toBe(200);
    expect(withKey).toContain(`"id":"${pid}"`);
  });

  it('refuses a partner key on an admin route before reading the body (403, not 400)', async () => {
    const app = apps[0]!;
    const res = await app.inject({ method: 'POST', url: '/v1/partners', headers: bearer(partnerKey), payload: { nonsense: [1, 2, 3] } });
    expect(res.statusCode, res.body).toBe(403);
    const keys = await app.inject({ method: 'POST', url: `/v1/partners/${pid}/api-keys`, headers: bearer(partnerKey), payload: { label: 7 } });
    expect(keys.statusCode, keys.body).toBe(403);
  });

  it("answers another partner's resource 404 whatever the body", async () => {
    const app = apps[0]!;
    const cases: Array<['POST' | 'PUT' | 'PATCH', string, unknown]> = [
      ['PUT', `/v1/partners/${pid}/schedule`, { frequency: 'hourly' }],
      ['POST', `/v1/partners/${pid}/sync`, { dryRun: 'yes' }],
      ['PATCH', `/v1/partners/${pid}/autotask`, {}],
      ['PUT', `/v1/partners/${pid}/company-mappings/c-1`, { autotaskCompanyId: 'x' }],
      ['POST', `/v1/partners/${pid}/autotask/authenticate`, { username: 1 }],
    ];
    for (const [method, url, payload] of cases) {
      const res = await app.inject({ method, url, headers: bearer(otherKey), payload: payload as object });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
  });
});

describe('throttling', () => {
  it('answers 429 with Retry-After after repeated failed authentication from one address', async () => {
    const app = await appWith({ rateLimits: { failedAuthentication: { max: 3, windowMs: 60_000 } } });
    const from = (remoteAddress: string, key: string) => app.inject({ url: `/v1/partners/${pid}`, headers: bearer(key), remoteAddress });
    for (let i = 0; i < 3; i++) expect((await from('10.0.0.7', `pbas_guess-${i}`)).statusCode).toBe(401);
    const refused = await from('10.0.0.7', 'pbas_guess-4');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining('try again in'), details: { retryAfterSeconds: expect.any(Number) } } });
    expect((await from('10.0.0.7', 'pbas_guess-5')).statusCode).toBe(429);
    // A valid key from that address still gets in: behind a reverse proxy every client shares
    // one address, and a few bad keys from anyone used to lock every partner and the admin out.
    expect((await from('10.0.0.7', partnerKey)).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/partners', headers: bearer(stack.adminKey), remoteAddress: '10.0.0.7' })).statusCode).toBe(200);
    expect((await from('10.0.0.8', partnerKey)).statusCode).toBe(200);
  });

  it('limits Authenticate per key and partner, and backs off after repeated wrong secrets', async () => {
    const creds = stack.sims.demo.credentials;
    const limited = await appWith({ rateLimits: { authenticate: { max: 2, windowMs: 60_000 } } });
    const attempt = (app: App, key: string, secret: string, remoteAddress = '10.0.1.1') =>
      app.inject({ method: 'POST', url: `/v1/partners/${pid}/autotask/authenticate`, headers: bearer(key), payload: { username: creds.username, secret }, remoteAddress });
    expect((await attempt(limited, partnerKey, creds.secret)).json().ok).toBe(true);
    expect((await attempt(limited, partnerKey, creds.secret)).json().ok).toBe(true);
    const third = await attempt(limited, partnerKey, creds.secret, '10.0.1.2');
    expect(third.statusCode).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    // The admin key from elsewhere is still held back for this partner.
    expect((await attempt(limited, stack.adminKey, creds.secret, '10.0.1.3')).statusCode).toBe(429);

    const backoff = await appWith({ rateLimits: { wrongSecretBackoff: { after: 2, baseMs: 60_000, maxMs: 600_000 } } });
    for (let i = 0; i < 2; i++) {
      const wrong = await attempt(backoff, partnerKey, `wrong-${i}`);
      expect(wrong.statusCode).toBe(200);
      expect(wrong.json().failure).toBe('wrong_secret');
    }
    const held = await attempt(backoff, partnerKey, creds.secret);
    expect(held.statusCode).toBe(429);
    expect(Number(held.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    expect(held.json().error.message).toContain('secret');
  });

  it("does not let one partner's refused requests use up another partner's room at a shared address", async () => {
    // Behind a proxy or NAT partners share an address. Requests refused by a partner's own limit
    // used to count against the address too, so one partner clicking on locked everyone out.
    const app = await appWith({ rateLimits: { syncNow: { max: 1, windowMs: 60_000 } } });
    const post = (key: string, partner: string) => app.inject({ method: 'POST', url: `/v1/partners/${partner}/sync`, headers: bearer(key), payload: { dryRun: true }, remoteAddress: '10.0.2.1' });
    expect((await post(otherKey, 'other-msp')).statusCode).toBe(409); // counted: it reached the route
    for (let i = 0; i < 5; i++) expect((await post(otherKey, 'other-msp')).statusCode).toBe(429);
    // The address (3 × 1 here) has seen one counted request: the other partner still gets through.
    expect((await post(partnerKey, pid)).statusCode).toBe(409);
  });

  it('puts a cooldown on Sync now', async () => {
    const app = await appWith({ rateLimits: { syncNow: { max: 1, windowMs: 60_000 } } });
    const post = () => app.inject({ method: 'POST', url: '/v1/partners/other-msp/sync', headers: bearer(otherKey), payload: { dryRun: true } });
    expect((await post()).statusCode).toBe(409); // not configured: still counts, it reached the route
    const refused = await post();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.json().error.code).toBe('rate_limited');
  });
});

describe('slow and hostile requests', () => {
  it('closes a connection whose body trickles in, within the request timeout', async () => {
    const app = await appWith({ timeouts: { requestMs: 1_000, checkIntervalMs: 200 } });
    const port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
    const started = Date.now();
    const closed = await new Promise<{ after: number; answer: string }>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`POST /v1/partners/${pid}/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${partnerKey}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`));
      let answer = '';
      const drip = setInterval(() => socket.write(' '), 300);
      socket.on('data', (d) => (answer += d.toString()));
      socket.on('close', () => {
        clearInterval(drip);
        resolve({ after: Date.now() - started, answer });
      });
      socket.on('error', () => {});
      setTimeout(() => {
        clearInterval(drip);
        socket.destroy();
        reject(new Error('the server kept the trickling connection open for 10 s'));
      }, 10_000);
    });
    expect(closed.after).toBeLessThan(4_000);
    expect(closed.answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('refuses a lone UTF-16 surrogate in a JSON body with a 400, not a 500', async () => {
    // JSON may escape half a surrogate pair ("\ud800"); encodeURIComponent throws on it (the
    // bulk mapping's Password Boss look-up answered 500) and the database would store U+FFFD.
    const app = await appWith({});
    const creds = stack.sims.demo.credentials;
    const saved = await app.inject({ method: 'PUT', url: `/v1/partners/${pid}/autotask`, headers: bearer(stack.adminKey), payload: { username: creds.username, secret: creds.secret, enabled: false } });
    expect(saved.statusCode, saved.body).toBe(200);
    const headers = { ...bearer(partnerKey), 'content-type': 'application/json' };
    const bulk = await app.inject({ method: 'POST', url: `/v1/partners/${pid}/company-mappings/bulk`, headers, payload: '{"items":[{"pbCompanyId":"\\ud800","autotaskCompanyId":1029,"autotaskContractId":5032}]}' });
    expect(bulk.statusCode, bulk.body).toBe(400);
    expect(bulk.json().error).toMatchObject({ code: 'invalid_request', details: [{ in: 'body', path: 'items[0].pbCompanyId' }] });
    const sync = await app.inject({ method: 'POST', url: `/v1/partners/${pid}/sync`, headers, payload: '{"dryRun":true,"companyIds":["c-1\\udc00"]}' });
    expect(sync.statusCode, sync.body).toBe(400);
  });

  it('takes a timezone in any letter case, as the browser does, and never answers 500 for one Temporal does not know', async () => {
    // Intl accepts "europe/berlin"; Temporal's schedules do not (Go's tz names are
    // case-sensitive), so the schedule PUT failed with a 500 "unknown time zone".
    const app = await appWith({});
    const creds = stack.sims.demo.credentials;
    const saved = await app.inject({ method: 'PUT', url: `/v1/partners/${pid}/autotask`, headers: bearer(stack.adminKey), payload: { username: creds.username, secret: creds.secret, enabled: false } });
    expect(saved.statusCode, saved.body).toBe(200);
    const put = (timezone: string) => app.inject({ method: 'PUT', url: `/v1/partners/${pid}/schedule`, headers: bearer(partnerKey), payload: { frequency: 'daily', time: '06:00', timezone } });
    for (const [typed, stored] of [['europe/berlin', 'Europe/Berlin'], ['utc', 'UTC'], ['US/Pacific', 'US/Pacific']] as const) {
      const res = await put(typed);
      expect(res.statusCode, `${typed}: ${res.body}`).toBe(200);
      expect(res.json().schedule.timezone).toBe(stored);
    }
    // A miscased alias Intl knows and Temporal does not: a clear 400, and the schedule is kept.
    const alias = await put('us/pacific');
    expect(alias.statusCode, alias.body).toBe(400);
    expect(alias.json().error.code).toBe('invalid_request');
    expect((await app.inject({ url: `/v1/partners/${pid}/schedule`, headers: bearer(partnerKey) })).json().schedule.timezone).toBe('US/Pacific');
    const partner = await app.inject({ method: 'POST', url: '/v1/partners', headers: bearer(stack.adminKey), payload: { name: 'Case MSP', timezone: 'america/new_york' } });
    expect(partner.statusCode, partner.body).toBe(201);
    expect(partner.json().timezone).toBe('America/New_York');
  });

  it('refuses a body nested 60,000 levels deep with a 400, not a 500', async () => {
    const deep = `{"mappings":${'['.repeat(60_000)}${']'.repeat(60_000)}}`;
    const res = await apps[0]!.inject({ method: 'PUT', url: `/v1/partners/${pid}/product-mappings`, headers: { ...bearer(partnerKey), 'content-type': 'application/json' }, payload: deep });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
    expect(res.json().error.message).toContain('nested');
  });
});

describe('security headers', () => {
  it('sends a CSP without inline script, no framing and no referrer, on the portal and the API', async () => {
    const app = await appWith({ portal: true });
    for (const url of ['/', '/healthz', `/v1/partners/${pid}`]) {
      const res = await app.inject({ url, headers: bearer(partnerKey) });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).not.toContain('unsafe-inline');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });
});

describe('the Temporal UI', () => {
  it('is linked in admin answers only', async () => {
    const runId = randomUUID();
    await ensureRun(stack.db.db, { id: runId, partnerId: pid, workflowId: `partner-sync/${pid}/manual/${runId}`, trigger: 'manual', dryRun: true });
    const app = apps[0]!;
    const asPartner = (await app.inject({ url: `/v1/partners/${pid}/sync-runs`, headers: bearer(partnerKey) })).json();
    const asAdmin = (await app.inject({ url: `/v1/partners/${pid}/sync-runs`, headers: bearer(stack.adminKey) })).json();
    expect(asPartner.items[0].temporalUiUrl).toBeNull();
    expect(asAdmin.items[0].temporalUiUrl).toContain('http://127.0.0.1:8233');
    const one = (await app.inject({ url: `/v1/partners/${pid}/sync-runs/${runId}`, headers: bearer(partnerKey) })).json();
    expect(one.temporalUiUrl).toBeNull();
  });
});

describe('reads from Password Boss on demand', () => {
  it("are throttled: Password Boss's token is shared by every partner", async () => {
    // Every unknown id on PUT …/company-mappings/:id cost one lookup and every ?refresh=true a
    // read of the whole list, without limit, on the token every partner's sync depends on.
    const app = await appWith({ rateLimits: { passwordBossRead: { max: 2, windowMs: 60_000 } } });
    const creds = stack.sims.demo.credentials;
    const saved = await app.inject({ method: 'PUT', url: `/v1/partners/${pid}/autotask`, headers: bearer(stack.adminKey), payload: { username: creds.username, secret: creds.secret, enabled: false } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await app.inject({ url: `/v1/partners/${pid}/company-mappings?limit=1`, headers: bearer(partnerKey) })).statusCode).toBe(200);
    const log = stack.sims.passwordboss.faults.log;
    const before = log.length;
    const lookup = (id: string) => app.inject({ method: 'PUT', url: `/v1/partners/${pid}/company-mappings/${id}`, headers: bearer(partnerKey), payload: { excluded: true }, remoteAddress: '10.0.3.1' });
    expect((await lookup('c-made-up-1')).statusCode).toBe(404);
    expect((await lookup('c-made-up-2')).statusCode).toBe(404);
    const refused = await lookup('c-made-up-3');
    expect(refused.statusCode, refused.body).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const refresh = await app.inject({ url: `/v1/partners/${pid}/company-mappings?refresh=true`, headers: bearer(partnerKey), remoteAddress: '10.0.3.2' });
    expect(refresh.statusCode, refresh.body).toBe(429);
    expect(log.length - before).toBe(2);
    // Companies already known need no lookup and are not held back.
    const known = (await app.inject({ url: `/v1/partners/${pid}/company-mappings?limit=1`, headers: bearer(partnerKey) })).json().items[0].pbCompanyId;
    expect((await lookup(known)).statusCode).toBe(200);
  });
});

describe('path segments the router refuses', () => {
  const expectApiError = (res: { statusCode: number; headers: Record<string, unknown>; json(): { error?: { code?: unknown } } }, status: number, code: string) => {
    expect(res.statusCode).toBe(status);
    expect(res.json().error?.code).toBe(code);
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-request-id']).toBeTruthy();
  };

  it('reaches a company id as long as the API accepts (200 characters), and answers anything else in the API\'s error shape', async () => {
    // The router cut path parameters at 100 characters (414, Fastify's own body) while every
    // schema takes company ids up to 200: such a company could be listed but never mapped.
    const app = await appWith({});
    const creds = stack.sims.demo.credentials;
    const saved = await app.inject({ method: 'PUT', url: `/v1/partners/${pid}/autotask`, headers: bearer(stack.adminKey), payload: { username: creds.username, secret: creds.secret, enabled: false } });
    expect(saved.statusCode, saved.body).toBe(200);
    const longId = `c-${'7'.repeat(198)}`;
    await refreshCompanies(stack.db.db, pid, [{ id: longId, name: 'Long Id Ltd', active: true }]);
    const excluded = await app.inject({ method: 'PUT', url: `/v1/partners/${pid}/company-mappings/${longId}`, headers: bearer(partnerKey), payload: { excluded: true } });
    expect(excluded.statusCode, excluded.body.slice(0, 300)).toBe(200);
    expect(excluded.json().excluded).toBe(true);

    // One character past the longest id: refused by the router, in the API's shape and with its headers.
    expectApiError(await app.inject({ method: 'PUT', url: `/v1/partners/${pid}/company-mappings/${longId}x`, headers: bearer(partnerKey), payload: { excluded: true } }), 414, 'uri_too_long');
    expectApiError(await app.inject({ method: 'DELETE', url: `/v1/partners/${pid}/company-mappings/${'x'.repeat(5000)}`, headers: bearer(partnerKey) }), 414, 'uri_too_long');
    // Percent-encoding that does not decode to UTF-8.
    expectApiError(await app.inject({ method: 'PUT', url: `/v1/partners/${pid}/company-mappings/%FF`, headers: bearer(partnerKey), payload: { excluded: true } }), 400, 'invalid_request');
  });
});

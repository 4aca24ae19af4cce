/**
 * Where Autotask credentials may go (issue 14): only to allowed API hosts, never after a zone
 * answer or a `nextPageUrl` that points elsewhere; credentials that cannot travel as headers are
 * named as such; one tenant's requests never wait for another's thread slots.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../integrations/autotask/authenticate.ts';
import { AutotaskClient } from '../../integrations/autotask/client.ts';
import { q, query } from '../../integrations/autotask/query.ts';
import { companySchema } from '../../integrations/autotask/schemas.ts';
import { IntegrationError } from '../../integrations/errors.ts';

interface Fake {
  server: Server;
  origin: string;
  seen: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
}

async function listen(handler: (req: IncomingMessage, body: string) => { status?: number; json: unknown; delayMs?: number; headers?: Record<string, string> }): Promise<Fake> {
  const seen: Fake['seen'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      const answer = handler(req, body);
      setTimeout(() => {
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.json));
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const threshold = { externalRequestThreshold: 10_000, requestThresholdTimeframe: 60, currentTimeframeRequestCount: 1 };
const creds = { username: 'api@northwind.example', secret: 'demo-secret', trackingIdentifier: 'PBAUTOTASKSYNC0000000000000' };

let thief: Fake;
/** The zone URL the lookup answers with, per test. */
let zoneUrl = '';
let lookup: Fake;
let nextPage = '';
/** Answers zone lookups, and (as the zone itself) Autotask calls. */
let autotask: Fake;
const servers: Fake[] = [];

beforeAll(async () => {
  thief = await listen(() => ({ json: { items: [], pageDetails: { nextPageUrl: null } } }));
  lookup = await listen(() => ({ json: { zoneName: 'Elsewhere', url: zoneUrl, ci: 1 } }));
  autotask = await listen((req) => {
    if (req.url?.includes('zoneInformation')) {
      const user = new URL(req.url, 'http://x').searchParams.get('user') ?? '';
      return { json: { zoneName: 'Zone', url: `${autotask.origin}/atservicesrest/`, ci: user.startsWith('slow') ? 100 : 200 } };
    }
    if (req.url?.includes('ThresholdInformation')) return { json: threshold, delayMs: String(req.headers.username).startsWith('slow') ? 1_500 : 0 };
    // A redirect elsewhere: undici must not follow it with the credential headers.
    if (req.url?.includes('/Contracts/query')) return { status: 307, headers: { location: `${thief.origin}/atservicesrest/V1.0/Contracts/query` }, json: {} };
    if (req.url?.includes('/Companies/query')) return { json: { items: [{ id: 1, companyName: 'Acme' }], pageDetails: { nextPageUrl: nextPage || null } } };
    return { status: 404, json: {} };
  });
  servers.push(thief, lookup, autotask);
});
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.server.close(r));
});

describe('zone answers outside the allowed hosts', () => {
  it('refuses a zone on another loopback origin: that listener receives nothing, nothing is cached', async () => {
    zoneUrl = `${thief.origin}/atservicesrest/`;
    const zoneLookupUrl = `${lookup.origin}/atservicesrest/v1.0/zoneInformation`;
    const result = await authenticate({ zoneLookupUrl, ...creds });
    expect(result).toMatchObject({ ok: false, failure: 'zone_not_allowed', message: expect.stringContaining('not an allowed Autotask API host') });
    expect(thief.seen).toEqual([]);
    // Not cached: a second client asks the lookup again and is refused again.
    const before = lookup.seen.length;
    const client = new AutotaskClient({ zoneLookupUrl, ...creds });
    await expect(client.threshold()).rejects.toMatchObject({ kind: 'authentication', extra: { authPart: 'zone_not_allowed' } });
    await expect(client.threshold()).rejects.toBeInstanceOf(IntegrationError);
    expect(lookup.seen.length).toBe(before + 2);
    expect(thief.seen).toEqual([]);
  });

  it('refuses link-local, non-http schemes and look-alike hosts under the default list', async () => {
    for (const url of ['http://169.254.169.254/latest/', 'gopher://webservices5.autotask.net/', 'ftp://webservices5.autotask.net/', 'http://webservices5.autotask.net/', 'https://autotask.net.evil.example/', 'https://user:pw@webservices5.autotask.net/']) {
      zoneUrl = url;
      // The lookup itself is the fake (an explicit list keeps it reachable); only the zone is judged.
      const result = await authenticate({ zoneLookupUrl: `${lookup.origin}/zoneInformation`, apiHosts: '*.autotask.net', ...creds });
      expect(result, url).toMatchObject({ ok: false, failure: 'zone_not_allowed' });
    }
  });

  it('sends credentials to a host AUTOTASK_API_HOSTS names', async () => {
    zoneUrl = `${thief.origin}/atservicesrest/`;
    const before = thief.seen.length;
    await authenticate({ zoneLookupUrl: `${lookup.origin}/zoneInformation`, apiHosts: `${thief.origin}, *.autotask.net`, ...creds });
    expect(thief.seen.length).toBe(before + 1);
    thief.seen.length = 0;
  });
});

describe('nextPageUrl', () => {
  it('is not followed to another origin, and says why', async () => {
    nextPage = `${thief.origin}/atservicesrest/V1.0/Companies/query/next?paging=x`;
    const client = new AutotaskClient({ zoneLookupUrl: `${autotask.origin}/atservicesrest/v1.0/zoneInformation`, ...creds });
    const err = await client.queryAll('Companies', query([q.eq('isActive', true)]), companySchema).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrationError);
    expect((err as IntegrationError).message).toContain('was not followed');
    expect(thief.seen).toEqual([]);
    nextPage = '';
  });
});

describe('redirects', () => {
  it('are not followed: the credentials stay with the zone', async () => {
    const client = new AutotaskClient({ zoneLookupUrl: `${autotask.origin}/atservicesrest/v1.0/zoneInformation`, ...creds });
    const err = await client.contractsByIds([1]).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrationError);
    expect((err as IntegrationError).message).toContain('307');
    expect(thief.seen).toEqual([]);
  });
});

describe('credentials that cannot travel as headers', () => {
  it('are named as such instead of "Autotask unreachable"', async () => {
    const zoneLookupUrl = `${autotask.origin}/atservicesrest/v1.0/zoneInformation`;
    for (const secret of ['line\r\nbreak', 'emoji-\u{1F511}', 'tab-ok-but-nul-\u0000']) {
      const result = await authenticate({ zoneLookupUrl, ...creds, secret });
      expect(result, JSON.stringify(secret)).toMatchObject({ ok: false, failure: 'invalid_characters', message: expect.stringContaining('secret contains characters Autotask cannot receive') });
    }
    expect((await authenticate({ zoneLookupUrl, ...creds, secret: 'Grüße-ok' })).ok).toBe(true);
  });
});

describe('thread slots', () => {
  it('are per tenant: a tenant whose slots are all busy does not hold another back', async () => {
    const zoneLookupUrl = `${autotask.origin}/atservicesrest/v1.0/zoneInformation`;
    // Same tracking identifier (the shared vendor code), different tenants (zone `ci`).
    const slow = new AutotaskClient({ zoneLookupUrl, ...creds, username: 'slow@tenant-a.example' });
    const quick = new AutotaskClient({ zoneLookupUrl, ...creds, username: 'quick@tenant-b.example' });
    await Promise.all([slow.zone(), quick.zone()]);
    const busy = Promise.all([1, 2, 3, 4].map(() => slow.threshold()));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await quick.threshold();
    expect(Date.now() - started).toBeLessThan(1_000);
    await busy;
  });
});

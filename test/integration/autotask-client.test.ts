/** The Autotask client against the simulator over real HTTP: every operation, every error class. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AutotaskClient } from '../../integrations/autotask/client.ts';
import { authenticate } from '../../integrations/autotask/authenticate.ts';
import { setUnits } from '../../integrations/autotask/set-units.ts';
import { q, query } from '../../integrations/autotask/query.ts';
import { contractServiceUnitSchema, serviceSchema } from '../../integrations/autotask/schemas.ts';
import { IntegrationError } from '../../integrations/errors.ts';
import { forgetZone } from '../../integrations/autotask/zone.ts';
import { startSimulators, type Simulators } from '../support/simulators.ts';

let sims: Simulators;
let client: AutotaskClient;
const EFFECTIVE = '2026-11-01';

const newClient = (over: Partial<{ username: string; secret: string; trackingIdentifier: string; timeoutMs: number }> = {}) =>
  new AutotaskClient({ zoneLookupUrl: sims.zoneLookupUrl, ...sims.demo.credentials, ...over });

async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(IntegrationError);
  return err as IntegrationError;
}

beforeAll(async () => {
  sims = await startSimulators({ companies: 1200 });
  client = newClient();
});
afterAll(async () => sims?.close());
beforeEach(() => {
  sims.autotask.faults.clear();
  sims.autotask.faults.log = [];
});

const mapping = (pbCompanyId: string) => sims.demo.mappings.find((m) => m.pbCompanyId === pbCompanyId)!;
const adjustmentsFor = (contractId: number) => sims.autotask.state.adjustments.filter((a) => a.contractID === contractId && a.at > 0);

describe('zone and authentication', () => {
  it('discovers the zone without auth headers and caches it', async () => {
    forgetZone(sims.zoneLookupUrl, sims.demo.credentials.username);
    const c = newClient();
    const zone = await c.zone();
    expect(zone.url).toMatch(/\/zone-\d+\/atservicesrest\/$/);
    expect(zone.apiBase).toMatch(/\/atservicesrest\/V1\.0$/);
    await c.zone();
    const lookups = sims.autotask.faults.log.filter((r) => /zoneinformation/i.test(r.path));
    expect(lookups).toHaveLength(1);
  });

  it('re-discovers when the tenant moves zones', async () => {
    await client.threshold();
    sims.autotask.moveZone();
    await expect(client.threshold()).resolves.toMatchObject({ externalRequestThreshold: 10_000 });
    expect(sims.autotask.faults.log.filter((r) => /zoneinformation/i.test(r.path)).length).toBeGreaterThanOrEqual(1);
  });

  it('authenticates and says which part failed', async () => {
    const base = { zoneLookupUrl: sims.zoneLookupUrl, ...sims.demo.credentials };
    const ok = await authenticate(base);
    expect(ok).toMatchObject({ ok: true, zone: { name: 'America East (simulated)' } });
    expect(await authenticate({ ...base, username: 'nobody@example.com' })).toMatchObject({ ok: false, failure: 'unknown_user' });
    const wrong = await authenticate({ ...base, secret: 'nope' });
    expect(wrong).toMatchObject({ ok: false, failure: 'wrong_secret' });
    expect(JSON.stringify(wrong)).not.toContain('nope');
    expect(await authenticate({ ...base, trackingIdentifier: 'UNKNOWNCODE' })).toMatchObject({ ok: false, failure: 'tracking_identifier' });
    expect(await authenticate({ ...base, zoneLookupUrl: 'http://127.0.0.1:1/atservicesrest/v1.0/zoneInformation' })).toMatchObject({ ok: false, failure: 'unreachable' });
  });
});

describe('queries', () => {
  it('pages through nextPageUrl until it is null', async () => {
    const rows = await client.queryAll('ContractServiceUnits', query([q.gte('units', 0)]), contractServiceUnitSchema);
    expect(rows.length).toBeGreaterThan(1000);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect([...rows].map((r) => r.id)).toEqual([...rows].map((r) => r.id).sort((a, b) => a - b));
    const pages = sims.autotask.faults.log.filter((r) => /contractserviceunits\/query/i.test(r.path));
    expect(pages.length).toBe(Math.ceil(rows.length / 500));
  });

  it('gets by id', async () => {
    expect(await client.getById('Services', 301, serviceSchema)).toMatchObject({ name: 'Password Boss Standard' });
    expect(await client.getById('Services', 999, serviceSchema)).toBeNull();
  });

  it('supports and/or groups and string operators', async () => {
    const body = query([q.or(q.beginsWith('name', 'password boss s'), q.endsWith('name', 'BACKUP')), q.eq('isActive', true)]);
    const rows = await client.queryAll('Services', body, serviceSchema);
    expect(rows.map((r) => r.id)).toEqual([301, 304]);
  });

  it('finds active services, companies by name, and a company\'s contracts', async () => {
    expect((await client.activeServices()).map((s) => s.id)).toEqual([301, 302, 304]);
    const found = await client.searchCompanies('dental');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((c) => /dental/i.test(c.companyName))).toBe(true);
    const m = mapping('c-0009');
    const contracts = await client.companyContracts(m.autotaskCompanyId);
    expect(contracts.some((c) => c.contractType === 7)).toBe(true);
    expect(contracts.every((c) => c.companyID === m.autotaskCompanyId)).toBe(true);
  });

  it('reads the units of 1,000+ contract services in a handful of requests', async () => {
    const ids = sims.demo.mappings.map((m) => m.autotaskContractId);
    const before = client.requests;
    const units = await client.unitsAt(ids, EFFECTIVE);
    expect(client.requests - before).toBeLessThanOrEqual(5);
    expect(units.size).toBeGreaterThan(1000);
    const sample = sims.demo.autotask.adjustments![0]!;
    expect(units.get(`${sample.contractID}:${sample.serviceID}`)?.units).toBe(sample.unitChange);
  });

  it('answers a wrong verb with 405 and classifies it', async () => {
    const res = await fetch(`${(await client.zone()).apiBase}/ContractServiceAdjustments`, { method: 'GET', headers: { ApiIntegrationCode: sims.demo.credentials.trackingIdentifier, UserName: sims.demo.credentials.username, Secret: sims.demo.credentials.secret } });
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({ Message: "The requested resource does not support http method 'GET'." });
  });

  it('refuses unknown fields and non-boolean booleans with errors[]', async () => {
    const err = await failure(client.queryAll('Services', query([q.eq('colour', 'red')]), serviceSchema));
    expect(err.kind).toBe('validation');
    expect(err.message).toMatch(/Unable to find colour/);
    const err2 = await failure(client.queryAll('Services', query([q.eq('isActive', 'yes')]), serviceSchema));
    expect(err2.kind).toBe('validation');
  });
});

describe('set units', () => {
  it('costs nothing more when the batched read already shows the target', async () => {
    const m = mapping('c-0002');
    const current = (await client.unitsAt([m.autotaskContractId], EFFECTIVE)).values().next().value!;
    const before = client.requests;
    const result = await setUnits(client, { contractId: m.autotaskContractId, serviceId: current.serviceID, effectiveDate: EFFECTIVE, target: current.units, knownCurrent: current.units });
    expect(result).toMatchObject({ adjustmentId: null, before: current.units, after: current.units });
    expect(client.requests - before).toBe(0);
  });

  it('posts the difference and confirms it in two requests', async () => {
    const m = mapping('c-0003');
    const current = (await client.unitsAt([m.autotaskContractId], EFFECTIVE)).values().next().value!;
    const before = client.requests;
    const result = await setUnits(client, { contractId: m.autotaskContractId, serviceId: current.serviceID, effectiveDate: EFFECTIVE, target: current.units + 4, knownCurrent: current.units });
    expect(client.requests - before).toBe(2);
    expect(result.after).toBe(current.units + 4);
    expect(result.adjustmentId).toBeGreaterThan(0);
    const posted = sims.autotask.faults.log.filter((r) => r.method === 'POST' && /adjustments/i.test(r.path));
    expect(posted.at(-1)!.body).toEqual({ contractID: m.autotaskContractId, serviceID: current.serviceID, effectiveDate: '2026-11-01T00:00:00', unitChange: 4 });
    expect(sims.autotask.state.unitsAt(sims.autotask.state.findContractService(m.autotaskContractId, current.serviceID)!.id, EFFECTIVE)).toBe(current.units + 4);
  });

  it('creates the contract service when it is missing (a new product)', async () => {
    const m = mapping('c-0004');
    const other = sims.autotask.state.findContractService(m.autotaskContractId, 301) ? 302 : 301;
    const result = await setUnits(client, { contractId: m.autotaskContractId, serviceId: other, effectiveDate: EFFECTIVE, target: 9 });
    expect(result).toMatchObject({ before: 0, after: 9 });
    expect(sims.autotask.state.findContractService(m.autotaskContractId, other)).toBeDefined();
  });

  it('never double-adjusts when the answer to the adjustment is lost', async () => {
    const m = mapping('c-0005');
    const current = (await client.unitsAt([m.autotaskContractId], EFFECTIVE)).values().next().value!;
    sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', fault: { kind: 'lost' } });
    const input = { contractId: m.autotaskContractId, serviceId: current.serviceID, effectiveDate: EFFECTIVE, target: current.units + 7 };
    const err = await failure(setUnits(client, { ...input, knownCurrent: current.units }));
    expect(err).toMatchObject({ kind: 'unavailable', retryable: true, extra: { ambiguous: true } });
    // The retry knows nothing for sure, so it re-reads first: no second adjustment.
    const retry = await setUnits(client, input);
    expect(retry).toMatchObject({ before: current.units + 7, after: current.units + 7, adjustmentId: null });
    expect(adjustmentsFor(m.autotaskContractId)).toHaveLength(1);
  });

  it.each([
    ['a contract that is not Recurring Service', 'c-0012', /only be made to Recurring Service/],
    ['an effective date after the contract ended', 'c-0008', /within the contract period/],
  ])('refuses %s as a permanent validation error', async (_name, pbCompanyId, message) => {
    const m = mapping(pbCompanyId);
    const err = await failure(setUnits(client, { contractId: m.autotaskContractId, serviceId: 301, effectiveDate: EFFECTIVE, target: 3, knownCurrent: 0 }));
    expect(err).toMatchObject({ kind: 'validation', retryable: false, extra: { status: 500 } });
    expect(err.message).toMatch(message);
    expect(err.failureType).toBe('AutotaskValidation');
  });

  it('refuses a posted period and negative units', async () => {
    const m = mapping('c-0010');
    sims.autotask.state.data.postedThrough.push({ contractID: m.autotaskContractId, through: '2026-11-30' });
    const err = await failure(setUnits(client, { contractId: m.autotaskContractId, serviceId: 301, effectiveDate: EFFECTIVE, target: 50 }));
    expect(err.message).toMatch(/approved and posted/);
    const n = mapping('c-0011');
    const err2 = await failure(client.createAdjustment({ contractId: n.autotaskContractId, serviceId: 302, effectiveDate: EFFECTIVE, unitChange: -100_000 }));
    expect(err2.message).toMatch(/negative/);
  });
});

describe('faults are classified', () => {
  const call = () => client.threshold();
  it.each([
    ['429 with Retry-After seconds', { kind: 'status', status: 429, headers: { 'Retry-After': '7' }, body: { errors: ['Too many requests'] } }, 'rate_limit', true, 7_000],
    ['the thread limit (as a 500)', { kind: 'status', status: 500, body: { errors: ['Thread Threshold Exceeded: the thread threshold of 3 threads has been exceeded.'] } }, 'thread_limit', true, undefined],
    ['an unexpected-error 500', { kind: 'status', status: 500, body: { errors: ['An unexpected error has occurred.  If the problem persists, please contact Autotask Support and reference Error ID: 4711'] } }, 'unavailable', true, undefined],
    ['a 503', { kind: 'status', status: 503, body: 'busy' }, 'unavailable', true, undefined],
    ['an HTML 502 page', { kind: 'html', status: 502 }, 'unavailable', true, undefined],
    ['a connection reset', { kind: 'reset' }, 'unavailable', true, undefined],
    ['a body cut off on a read (not JSON)', { kind: 'malformed' }, 'unavailable', true, undefined],
    ['a business-rule 500', { kind: 'status', status: 500, body: { errors: ['Value does not reference an existing entity for taskType .'] } }, 'validation', false, undefined],
  ] as const)('%s', async (_name, fault, kind, retryable, retryAfterMs) => {
    sims.autotask.faults.add({ path: 'ThresholdInformation', fault: fault as never });
    const err = await failure(call());
    expect(err.kind).toBe(kind);
    expect(err.retryable).toBe(retryable);
    if (retryAfterMs) expect(err.extra.retryAfterMs).toBe(retryAfterMs);
    expect(err.message).not.toContain(sims.demo.credentials.secret);
  });

  it('treats errors[] in a 200 body as a failure', async () => {
    sims.autotask.faults.add({ path: 'ThresholdInformation', fault: { kind: 'status', status: 200, body: { errors: ['Picklist value [99] does not exist for priority.'] } } });
    const err = await failure(call());
    expect(err.kind).toBe('validation');
    expect(err.message).toMatch(/Picklist value \[99\]/);
  });

  it('times out a slow answer as unavailable', async () => {
    const slow = newClient({ timeoutMs: 300 });
    sims.autotask.faults.add({ path: 'ThresholdInformation', fault: { kind: 'slow', ms: 1_500 } });
    const err = await failure(slow.threshold());
    expect(err.kind).toBe('unavailable');
  });

  it('times out a slow answer by default, after 30 s, so a hung Autotask frees its slot', async () => {
    // Without a timeout of its own the client waited undici's 300 s: a company's whole local
    // activity (5 min) spent on one answer, holding one of the tenant's 3 slots for an endpoint.
    sims.autotask.faults.add({ path: 'ThresholdInformation', fault: { kind: 'slow', ms: 33_000 } });
    const err = await failure(newClient().threshold());
    expect(err.kind).toBe('unavailable');
    expect(err.message).toMatch(/did not answer .*UND_ERR_HEADERS_TIMEOUT/);
  }, 60_000);

  it('keeps at most 3 requests in flight per endpoint', async () => {
    sims.autotask.faults.latencyMs = 30;
    sims.autotask.peakConcurrency.clear();
    const ids = sims.demo.mappings.slice(0, 40).map((m) => m.autotaskContractId);
    await Promise.all(ids.map((id) => client.unitsOf(id, 301, EFFECTIVE)));
    const peaks = [...sims.autotask.peakConcurrency.values()];
    expect(Math.max(...peaks)).toBe(3);
  });
});

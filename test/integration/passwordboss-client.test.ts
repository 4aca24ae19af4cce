/** The Password Boss client against its simulator over real HTTP. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PasswordBossClient } from '../../integrations/passwordboss/client.ts';
import { IntegrationError } from '../../integrations/errors.ts';
import { createPasswordBossSimulator, type PasswordBossSimulator } from '../../simulators/passwordboss/server.ts';
import { generateDemoData } from '../../simulators/demo-data.ts';

const demo = generateDemoData({ companies: 1234, now: new Date('2026-11-27T12:00:00Z') });

describe('Password Boss client ↔ simulator', () => {
  let sim: PasswordBossSimulator;
  let url: string;
  let client: PasswordBossClient;

  beforeAll(async () => {
    sim = createPasswordBossSimulator({ token: 'pb-token', fixture: demo.passwordboss });
    url = await sim.app.listen({ host: '127.0.0.1', port: 0 });
    client = new PasswordBossClient({ baseUrl: url, token: 'pb-token', pageSize: 100, timeoutMs: 2_000 });
  });
  afterAll(async () => {
    await client?.close();
    await sim?.app.close();
  });
  beforeEach(() => {
    sim.faults.clear();
    sim.faults.log = [];
  });

  it('reads the products', async () => {
    expect(await client.products('demo')).toEqual([
      { id: 'pb-standard', name: 'Password Boss Standard' },
      { id: 'pb-advanced', name: 'Password Boss Advanced' },
    ]);
  });

  it('follows nextCursor across pages to the last company', async () => {
    const companies = await client.companies('demo');
    expect(companies).toHaveLength(1234);
    expect(new Set(companies.map((c) => c.id)).size).toBe(1234);
    expect(sim.faults.log.filter((r) => r.path.endsWith('/companies'))).toHaveLength(13);
  });

  it('reads one company by id, null for an id the partner does not have', async () => {
    const known = demo.passwordboss.partners[0]!.companies[7]!;
    expect(await client.company('demo', known.id)).toEqual(known);
    expect(await client.company('demo', 'c-nowhere')).toBeNull();
    // One request each, and no page of the list read.
    expect(sim.faults.log.map((r) => r.path)).toEqual([`/v1/partners/demo/companies/${known.id}`, '/v1/partners/demo/companies/c-nowhere']);
  });

  it('never lets a company id climb out of its path segment (".", "..")', async () => {
    // A partner chooses the id (PUT …/company-mappings/%2E%2E); encodeURIComponent leaves dots
    // alone and URL parsing resolves them, so '..' used to fetch /v1/partners/demo/ and '.' the
    // company list, with the service's token.
    for (const id of ['..', '.']) expect(await client.company('demo', id)).toBeNull();
    expect(sim.faults.log).toEqual([]);
  });

  it('reports an unknown partner as an error, not as a missing company', async () => {
    const err = await client.company('no-such-partner', 'c-0001').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrationError);
    expect((err as IntegrationError).kind).toBe('not_found');
    expect((err as IntegrationError).message).toMatch(/unknown partner no-such-partner/);
  });

  it('defaults to the latest final month, and filters by month and company', async () => {
    const latest = await client.monthEndCounts('demo');
    expect(latest).toMatchObject({ final: true, counts: { month: '2026-10', final: true } });
    const earlier = await client.monthEndCounts('demo', { month: '2026-03', companyId: 'c-0002' });
    expect(earlier.final && earlier.counts.items.every((c) => c.companyId === 'c-0002')).toBe(true);
    expect(earlier.final && earlier.counts.items).toHaveLength(1);
  });

  it('reports a month not calculated yet as a result, not a failure', async () => {
    const result = await client.monthEndCounts('demo', { month: '2026-11' });
    expect(result).toMatchObject({ final: false, month: '2026-11' });
    expect(result.final === false && result.reason).toMatch(/not been calculated/);
  });

  it('reports a month that exists but is not final as not final', async () => {
    const partner = structuredClone(sim.partner('demo')!);
    partner.id = 'draft';
    partner.months.push({ month: '2026-11', final: false, calculatedAt: '2026-11-27T00:00:00Z', counts: [] });
    sim.upsertPartner(partner);
    expect(await client.monthEndCounts('draft', { month: '2026-11' })).toMatchObject({ final: false, month: '2026-11' });
    expect(await client.monthEndCounts('draft')).toMatchObject({ final: true, counts: { month: '2026-10' } });
  });

  const expectError = async (promise: Promise<unknown>, kind: string, retryable: boolean, message?: RegExp) => {
    const err = await promise.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrationError);
    expect((err as IntegrationError).kind).toBe(kind);
    expect((err as IntegrationError).retryable).toBe(retryable);
    if (message) expect((err as Error).message).toMatch(message);
    return err as IntegrationError;
  };

  it('classifies a bad token as a permanent authentication failure', async () => {
    const bad = new PasswordBossClient({ baseUrl: url, token: 'wrong' });
    const err = await expectError(bad.products('demo'), 'authentication', false, /PASSWORDBOSS_API_TOKEN/);
    expect(err.failureType).toBe('PasswordBossAuthentication');
    expect(err.message).not.toContain('wrong');
    await bad.close();
  });

  it('classifies an unknown partner as not found', async () => {
    await expectError(client.products('nobody'), 'not_found', false, /unknown partner/);
  });

  it.each([
    ['a 503', { kind: 'status', status: 503 }, 'unavailable', true],
    ['a 500', { kind: 'status', status: 500 }, 'unavailable', true],
    ['a connection reset', { kind: 'reset' }, 'unavailable', true],
    ['an HTML error page', { kind: 'html', status: 502 }, 'unavailable', true],
    ['a body cut off (not JSON)', { kind: 'malformed' }, 'unavailable', true],
  ] as const)('classifies %s', async (_name, fault, kind, retryable) => {
    sim.faults.add({ path: '/products$', fault });
    await expectError(client.products('demo'), kind, retryable);
  });

  it('classifies a slow answer past the timeout as unavailable', async () => {
    sim.faults.add({ path: '/products$', fault: { kind: 'slow', ms: 3_000 } });
    await expectError(client.products('demo'), 'unavailable', true);
  });

  it('classifies a body of the wrong shape with an excerpt', async () => {
    sim.faults.add({ path: '/products$', fault: { kind: 'status', status: 418 } });
    const err = await expectError(client.products('demo'), 'malformed', false);
    expect(err.extra.status).toBe(418);
  });
});

describe('demo data', () => {
  const at = demo.autotask;
  const pb = demo.passwordboss.partners[0]!;

  it('references only Autotask records that exist', () => {
    const contracts = new Map(at.contracts.map((c) => [c.id, c]));
    const companies = new Set(at.companies.map((c) => c.id));
    for (const c of at.contracts) expect(companies.has(c.companyID)).toBe(true);
    for (const cs of at.contractServices) expect(contracts.has(cs.contractID)).toBe(true);
    for (const m of demo.mappings) {
      expect(contracts.get(m.autotaskContractId)?.companyID).toBe(m.autotaskCompanyId);
    }
    for (const adj of at.adjustments ?? []) expect(contracts.get(adj.contractID)?.contractType).toBe(7);
  });

  it('has whole, non-negative counts and exactly one latest final month', () => {
    for (const month of pb.months) for (const c of month.counts) {
      expect(Number.isInteger(c.users) && c.users >= 0).toBe(true);
      expect(Number.isInteger(c.licenses) && c.licenses >= c.users).toBe(true);
    }
    const finals = pb.months.filter((m) => m.final).map((m) => m.month).sort();
    expect(finals).toHaveLength(12);
    expect(finals.filter((m) => m === finals[finals.length - 1])).toHaveLength(1);
    expect(demo.latestFinalMonth).toBe('2026-10');
  });

  it('is reproducible from its seed and sized by its parameter', () => {
    const again = generateDemoData({ companies: 1234, now: new Date('2026-11-27T12:00:00Z') });
    expect(again).toEqual(demo);
    expect(generateDemoData({ companies: 40 }).passwordboss.partners[0]!.companies).toHaveLength(40);
  });

  it('contains the cases the product has to handle', () => {
    const small = generateDemoData({ now: new Date('2026-11-27T12:00:00Z') });
    const p = small.passwordboss.partners[0]!;
    expect(p.companies.filter((c) => !c.active).length).toBeGreaterThanOrEqual(2);
    expect(p.companies.filter((c) => c.type === 'msp')).toHaveLength(1);
    const last = p.months.at(-1)!.counts.find((c) => c.companyId === small.notable.switched)!;
    const before = p.months.at(-2)!.counts.find((c) => c.companyId === small.notable.switched)!;
    expect([before.productId, last.productId]).toEqual(['pb-standard', 'pb-advanced']);
    const contracts = small.autotask.contracts;
    const ended = contracts.find((c) => c.id === small.mappings.find((m) => m.pbCompanyId === small.notable.endedContract)!.autotaskContractId)!;
    expect(ended.endDate < '2026-11-01').toBe(true);
    expect(contracts.some((c) => c.id === ended.renewedContractID)).toBe(true);
    expect(contracts.some((c) => c.contractType !== 7)).toBe(true);
    expect(small.autotask.companies.some((c) => c.companyType === 3)).toBe(true);
    for (const c of p.companies.slice(1)) {
      const m = small.mappings.find((x) => x.pbCompanyId === c.id)!;
      expect(m.autotaskCompanyName).not.toBe(c.name);
    }
  });
});

/**
 * A Password Boss API simulator implementing exactly the contract in docs/design.md (section 5): bearer check,
 * cursor paging, the latest-final-month default, the 404 rules, plus switchable faults.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { FaultInjector, applyFault, registerFaultRoutes, sleep } from '../common/faults.ts';
import { pbFixtureSchema, pbPartnerSchema, type PbFixture, type PbMonthFixture, type PbPartnerFixture } from './fixture.ts';

export interface PasswordBossSimulator {
  app: FastifyInstance;
  faults: FaultInjector;
  /** Replaces all partners. */
  load(fixture: PbFixture): void;
  upsertPartner(partner: PbPartnerFixture): void;
  partner(id: string): PbPartnerFixture | undefined;
  token: string;
}

const pageQuery = z.object({ cursor: z.string().optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) });
const countsQuery = z.object({ month: z.string().regex(/^\d{4}-\d{2}$/).optional(), companyId: z.string().optional() });

export function latestFinalMonth(partner: PbPartnerFixture): PbMonthFixture | undefined {
  return partner.months.filter((m) => m.final).sort((a, b) => b.month.localeCompare(a.month))[0];
}

export function createPasswordBossSimulator(options: { token: string; fixture?: PbFixture }): PasswordBossSimulator {
  const partners = new Map<string, PbPartnerFixture>();
  const faults = new FaultInjector();
  const app = Fastify({ logger: false });

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (path.startsWith('/_sim')) return;
    const started = Date.now();
    reply.raw.once('finish', () => faults.record({ at: started, method: request.method, path, status: reply.statusCode }));
    if (faults.latencyMs) await sleep(faults.latencyMs);
    const fault = faults.take(request.method, path);
    if (fault && (await applyFault(fault, request, reply))) return reply;
    if (request.headers.authorization !== `Bearer ${options.token}`) {
      return reply.code(401).send({ error: 'invalid or missing bearer token' });
    }
  });

  const findPartner = (pid: string) => partners.get(pid);

  app.get<{ Params: { pid: string } }>('/v1/partners/:pid/products', async (request, reply) => {
    const partner = findPartner(request.params.pid);
    if (!partner) return reply.code(404).send({ error: `unknown partner ${request.params.pid}` });
    return { items: partner.products };
  });

  app.get<{ Params: { pid: string } }>('/v1/partners/:pid/companies', async (request, reply) => {
    const partner = findPartner(request.params.pid);
    if (!partner) return reply.code(404).send({ error: `unknown partner ${request.params.pid}` });
    const query = pageQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send({ error: query.error.issues[0]?.message ?? 'bad query' });
    const start = query.data.cursor ? Number(Buffer.from(query.data.cursor, 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0) return reply.code(400).send({ error: 'invalid cursor' });
    const items = partner.companies.slice(start, start + query.data.limit);
    const next = start + items.length;
    return { items, nextCursor: next < partner.companies.length ? Buffer.from(String(next)).toString('base64url') : null };
  });

  app.get<{ Params: { pid: string } }>('/v1/partners/:pid/month-end-counts', async (request, reply) => {
    const partner = findPartner(request.params.pid);
    if (!partner) return reply.code(404).send({ error: `unknown partner ${request.params.pid}` });
    const query = countsQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send({ error: 'month must be YYYY-MM' });
    const month = query.data.month ? partner.months.find((m) => m.month === query.data.month) : latestFinalMonth(partner);
    if (!month) {
      return reply.code(404).send({ error: query.data.month ? `month ${query.data.month} has not been calculated yet` : 'no month has been finalised yet' });
    }
    const items = query.data.companyId ? month.counts.filter((c) => c.companyId === query.data.companyId) : month.counts;
    return { month: month.month, final: month.final, calculatedAt: month.calculatedAt, items };
  });

  registerFaultRoutes(app, faults);
  app.put('/_sim/fixture', async (request) => {
    load(pbFixtureSchema.parse(request.body));
    return { partners: partners.size };
  });
  app.put('/_sim/partners/:pid', async (request) => {
    const partner = pbPartnerSchema.parse(request.body);
    partners.set(partner.id, partner);
    return { ok: true };
  });

  function load(fixture: PbFixture) {
    partners.clear();
    for (const p of fixture.partners) partners.set(p.id, p);
  }
  if (options.fixture) load(options.fixture);

  return {
    app,
    faults,
    load,
    token: options.token,
    upsertPartner: (p) => void partners.set(p.id, p),
    partner: findPartner,
  };
}

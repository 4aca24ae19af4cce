/** Look-ups for the mapping screens, cached briefly per partner to spare the Autotask budget. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { errorBodySchema } from '../errors.ts';
import { requirePartner } from '../plugins/auth.ts';
import { companyTypesQuery, partnerParams } from '../schemas.ts';
import type { PartnerAutotask } from '../services/partner-autotask.ts';
import { todayIn } from '../../sync/billing-month.ts';
import { contractEligibility } from '../../sync/contract-rules.ts';
import { RECURRING_SERVICE_CONTRACT } from '../../sync/vocabulary.ts';

export interface LookupRouteDeps {
  db: Db;
  autotask: PartnerAutotask;
  now: () => Date;
}

const serviceSchema = z.object({ id: z.number().int(), name: z.string(), description: z.string().nullable(), unitPrice: z.number().nullable() }).meta({ id: 'AutotaskService' });
const companySchema = z.object({ id: z.number().int(), name: z.string(), number: z.string().nullable(), type: z.number().int().nullable() }).meta({ id: 'AutotaskCompany' });
const contractSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    contractType: z.number().int(),
    recurring: z.boolean(),
    startDate: z.string().nullable(),
    endDate: z.string().nullable(),
    ended: z.boolean(),
    eligible: z.boolean().describe('can be chosen for a company mapping'),
    reason: z.string().nullable().describe('why it cannot be chosen'),
  })
  .meta({ id: 'AutotaskContract' });
export type AutotaskServiceView = z.output<typeof serviceSchema>;
export type AutotaskCompanyView = z.output<typeof companySchema>;
export type AutotaskContractView = z.output<typeof contractSchema>;

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 502: errorBodySchema, 503: errorBodySchema };

const lookupRoutes: FastifyPluginAsyncZod<LookupRouteDeps> = async (app, { db, autotask, now }) => {
  app.get('/v1/partners/:pid/autotask/services', {
    schema: { tags: ['autotask'], summary: 'Active Autotask services (for product mappings)', params: partnerParams, response: { 200: z.object({ items: z.array(serviceSchema) }), ...errors } },
  }, async (request) => {
    await requirePartner(db, request, request.params.pid);
    const services = await autotask.activeServices(request.params.pid);
    return { items: services.map((s) => ({ id: s.id, name: s.name, description: s.description ?? null, unitPrice: s.unitPrice ?? null })) };
  });

  app.get('/v1/partners/:pid/autotask/companies', {
    schema: {
      tags: ['autotask'],
      summary: 'Search active Autotask companies by name',
      params: partnerParams,
      querystring: z.object({ search: z.string().max(100).default(''), types: companyTypesQuery.optional().describe('only these Autotask company types (the portal sends 1, Customers, by default); all types when left out') }).strict(),
      response: { 200: z.object({ items: z.array(companySchema) }), ...errors },
    },
  }, async (request) => {
    await requirePartner(db, request, request.params.pid);
    const companies = await autotask.searchCompanies(request.params.pid, request.query.search, request.query.types);
    return { items: companies.map((c) => ({ id: c.id, name: c.companyName, number: c.companyNumber ?? null, type: c.companyType ?? null })) };
  });

  app.get('/v1/partners/:pid/autotask/companies/:atCompanyId/contracts', {
    schema: {
      tags: ['autotask'],
      summary: "An Autotask company's contracts, with the Recurring Service ones marked",
      params: partnerParams.extend({ atCompanyId: z.coerce.number().int().positive() }),
      response: { 200: z.object({ items: z.array(contractSchema) }), ...errors },
    },
  }, async (request) => {
    const partner = await requirePartner(db, request, request.params.pid);
    const contracts = await autotask.companyContracts(request.params.pid, request.params.atCompanyId);
    const today = todayIn(now(), partner.timezone);
    const items = contracts.map((c) => {
      const verdict = contractEligibility(c, request.params.atCompanyId, today);
      return { id: c.id, name: c.contractName, contractType: c.contractType, recurring: c.contractType === RECURRING_SERVICE_CONTRACT, startDate: c.startDate, endDate: c.endDate, ended: Boolean(c.endDate && c.endDate < today), eligible: verdict === null, reason: verdict?.message ?? null };
    });
    items.sort((a, b) => Number(b.eligible) - Number(a.eligible) || a.name.localeCompare(b.name));
    return { items };
  });
};

export default lookupRoutes;

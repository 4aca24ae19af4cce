/**
 * Company mapping: every Password Boss company with its Autotask company and Recurring Service
 * contract, last sync, status and troubleshooting detail; map (with the contract rules checked
 * against Autotask) and unmap (history kept).
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps/deps.ts';
import { clearCompanyMapping, findCompanyMapping, listCompanyMappings, refreshCompanies, saveCompanyMapping, type CompanyMappingRow } from '../../db/repositories/company-mappings.ts';
import { todayIn } from '../../sync/billing-month.ts';
import { contractEligibility } from '../../sync/contract-rules.ts';
import { companyStatuses } from '../../sync/vocabulary.ts';
import { errorBodySchema, notFound, unprocessable } from '../errors.ts';
import { requireConfiguredPartner } from '../plugins/auth.ts';
import { partnerParams } from '../schemas.ts';
import { mapIntegrationErrors } from '../services/integration-errors.ts';
import type { PartnerAutotask } from '../services/partner-autotask.ts';
import { TtlCache } from '../services/ttl-cache.ts';

export interface CompanyMappingRouteDeps {
  services: Deps;
  autotask: PartnerAutotask;
  /** How long a partner's Password Boss company list is trusted before it is read again. */
  refreshAfterMs?: number;
  /** Pages of the list kept in memory (0 turns the cache off). */
  cacheEntries?: number | undefined;
}

const itemSchema = z
  .object({
    pbCompanyId: z.string(),
    pbCompanyName: z.string(),
    active: z.boolean(),
    mapped: z.boolean(),
    autotaskCompany: z.object({ id: z.number().int(), name: z.string().nullable() }).nullable(),
    contract: z.object({ id: z.number().int(), name: z.string().nullable() }).nullable(),
    status: z.enum(companyStatuses),
    detail: z.string().nullable(),
    lastSyncAt: z.date().nullable(),
    lastRunId: z.string().nullable(),
  })
  .meta({ id: 'CompanyMapping' });
export type CompanyMappingView = z.output<typeof itemSchema>;

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema, 502: errorBodySchema, 503: errorBodySchema };
const pbCompanyParams = partnerParams.extend({ pbCompanyId: z.string().min(1).max(200) });

export function companyView(row: CompanyMappingRow): z.infer<typeof itemSchema> {
  return {
    pbCompanyId: row.pbCompanyId,
    pbCompanyName: row.pbCompanyName,
    active: row.pbCompanyActive,
    mapped: row.autotaskContractId !== null,
    autotaskCompany: row.autotaskCompanyId !== null ? { id: row.autotaskCompanyId, name: row.autotaskCompanyName } : null,
    contract: row.autotaskContractId !== null ? { id: row.autotaskContractId, name: row.autotaskContractName } : null,
    status: row.status,
    detail: row.detail,
    lastSyncAt: row.lastSyncAt,
    lastRunId: row.lastRunId,
  };
}

const companyMappingRoutes: FastifyPluginAsyncZod<CompanyMappingRouteDeps> = async (app, { services, autotask, refreshAfterMs = 300_000, cacheEntries = 200 }) => {
  const { db } = services;
  const refreshedAt = new Map<string, number>();
  const inProgress = new Map<string, Promise<void>>();

  // Pages of the list, keyed by the partner's companies_version (bumped by a trigger whenever any
  // of its rows changes), so an entry is served only while the rows it was read from are unchanged.
  const pages = new TtlCache<Awaited<ReturnType<typeof listCompanyMappings>>>(60_000, cacheEntries);

  /** Brings the Password Boss company list in when it is older than refreshAfterMs; true if it did. */
  async function refresh(pid: string, force = false): Promise<boolean> {
    if (!force && Date.now() - (refreshedAt.get(pid) ?? 0) < refreshAfterMs) return false;
    let running = inProgress.get(pid);
    if (!running) {
      running = mapIntegrationErrors(async () => {
        const companies = await services.passwordboss.companies(pid);
        await refreshCompanies(db, pid, companies);
        refreshedAt.set(pid, Date.now());
      }).finally(() => inProgress.delete(pid));
      inProgress.set(pid, running);
    }
    await running;
    return true;
  }

  app.get('/v1/partners/:pid/company-mappings', {
    schema: {
      tags: ['mappings'],
      summary: 'Every Password Boss company with its mapping, last sync, status and detail',
      params: partnerParams,
      querystring: z.object({
        search: z.string().max(100).optional(),
        status: z.enum(companyStatuses).optional(),
        mapped: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        refresh: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('read the company list from Password Boss now'),
      }).strict(),
      response: { 200: z.object({ items: z.array(itemSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }), ...errors },
    },
  }, async (request) => {
    const { pid } = request.params;
    const partner = await requireConfiguredPartner(db, request, pid);
    const q = request.query;
    const read = () => listCompanyMappings(db, pid, { search: q.search, status: q.status, mapped: q.mapped, limit: q.limit, offset: q.offset });
    // A refresh may change the rows after the version was read: read them directly then.
    const refreshed = await refresh(pid, q.refresh === true);
    const key = [pid, partner.companiesVersion, q.search ?? '', q.status ?? '', q.mapped ?? '', q.limit, q.offset].join('\u0000');
    const { items, total } = refreshed ? await read() : await pages.get(key, read);
    return { items: items.map(companyView), total, limit: q.limit, offset: q.offset };
  });

  app.put('/v1/partners/:pid/company-mappings/:pbCompanyId', {
    schema: {
      tags: ['mappings'],
      summary: 'Map a Password Boss company to an Autotask company and its Recurring Service contract',
      description: 'The contract must exist, belong to that company, be a Recurring Service contract and not have ended; each broken rule answers 422 with its code.',
      params: pbCompanyParams,
      body: z.object({ autotaskCompanyId: z.number().int().positive(), autotaskContractId: z.number().int().positive() }).strict(),
      response: { 200: itemSchema, ...errors },
    },
  }, async (request) => {
    const { pid, pbCompanyId } = request.params;
    const partner = await requireConfiguredPartner(db, request, pid);
    await refresh(pid);
    if (!(await findCompanyMapping(db, pid, pbCompanyId))) throw notFound(`Password Boss company '${pbCompanyId}'`);
    const { autotaskCompanyId, autotaskContractId } = request.body;
    const company = await autotask.company(pid, autotaskCompanyId);
    if (!company) throw unprocessable('company_not_found', `Autotask has no company #${autotaskCompanyId}; search for the company again`);
    const client = await autotask.client(pid);
    const contracts = await mapIntegrationErrors(() => client.contractsByIds([autotaskContractId]));
    const verdict = contractEligibility(contracts[0], autotaskCompanyId, todayIn(services.now(), partner.timezone));
    if (verdict) throw unprocessable(verdict.code, verdict.message, { rule: verdict.code });
    const row = await saveCompanyMapping(db, pid, pbCompanyId, { autotaskCompanyId, autotaskCompanyName: company.companyName, autotaskContractId, autotaskContractName: contracts[0]!.contractName });
    return companyView(row!);
  });

  app.delete('/v1/partners/:pid/company-mappings/:pbCompanyId', {
    schema: { tags: ['mappings'], summary: 'Unmap a company (its status and history are kept)', params: pbCompanyParams, response: { 200: itemSchema, ...errors } },
  }, async (request) => {
    const { pid, pbCompanyId } = request.params;
    await requireConfiguredPartner(db, request, pid);
    const row = await clearCompanyMapping(db, pid, pbCompanyId);
    if (!row) throw notFound(`Password Boss company '${pbCompanyId}'`);
    return companyView(row);
  });
};

export default companyMappingRoutes;

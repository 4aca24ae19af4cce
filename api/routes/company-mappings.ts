/**
 * Company mapping: every Password Boss company with its Autotask company and Recurring Service
 * contract, last sync, status and troubleshooting detail; map (with the contract rules checked
 * against Autotask, one contract per company), exclude, and unmap (history kept). Unmapping and
 * excluding are stops (docs/design.md rule 8b): the answer lists the units left behind, and
 * `?release=zero` asks the next run to set them to 0.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps/deps.ts';
import { listOwnedPairs } from '../../db/repositories/billing-ledger.ts';
import { clearCompanyMapping, ContractTakenError, findCompanyMapping, findContractHolder, listCompanyMappings, refreshCompanies, saveCompanyMapping, setCompanyExcluded, type CompanyMappingRow } from '../../db/repositories/company-mappings.ts';
import { requestReleases, withdrawReleases } from '../../db/repositories/pending-releases.ts';
import { todayIn } from '../../sync/billing-month.ts';
import { contractEligibility } from '../../sync/contract-rules.ts';
import { leftBehindOf } from '../../sync/ownership.ts';
import { companyStatuses } from '../../sync/vocabulary.ts';
import { ApiError, errorBodySchema, notFound, unprocessable } from '../errors.ts';
import { requireConfiguredPartner } from '../plugins/auth.ts';
import { partnerParams } from '../schemas.ts';
import { mapIntegrationErrors } from '../services/integration-errors.ts';
import type { PartnerAutotask } from '../services/partner-autotask.ts';
import { TtlCache } from '../services/ttl-cache.ts';
import type { AtCompany, AtContract } from '../../integrations/autotask/schemas.ts';
import billingLedgerRoutes from './billing-ledger.ts';
import { companyView, itemSchema } from './company-mapping-view.ts';
import companySuggestionRoutes from './company-suggestions.ts';

/** Autotask ids are int32: a larger number is a typo, answered here rather than by Autotask. */
const autotaskId = z.number().int().positive().max(2_147_483_647);

export interface CompanyMappingRouteDeps {
  services: Deps;
  autotask: PartnerAutotask;
  /** How long a partner's Password Boss company list is trusted before it is read again. */
  refreshAfterMs?: number;
  /** Pages of the list kept in memory (0 turns the cache off). */
  cacheEntries?: number | undefined;
}

export type { CompanyMappingView } from './company-mapping-view.ts';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema, 502: errorBodySchema, 503: errorBodySchema };
const pbCompanyParams = partnerParams.extend({ pbCompanyId: z.string().min(1).max(200) });
const leftBehindSchema = z.object({ contractId: z.number().int(), serviceId: z.number().int(), units: z.number().int() }).meta({ id: 'LeftBehind' });
const stopQuery = z.object({ release: z.enum(['keep', 'zero']).default('keep').describe('keep: the units stay on the contract; zero: the next run sets them to 0') }).strict();
const stopAnswer = itemSchema.extend({
  leftBehind: z.array(leftBehindSchema).describe('the (contract, service) pairs the service set that keep their units; with release=zero, the next run sets them to 0'),
  release: z.enum(['keep', 'zero']),
});
/** The answer to an unmap or exclude: what stays billed, for the portal to say in words. */
export type StopView = z.output<typeof stopAnswer>;
const mapBody = z.object({ autotaskCompanyId: autotaskId, autotaskContractId: autotaskId }).strict();
const excludeBody = z.object({ excluded: z.boolean() }).strict();
const stopExample = {
  pbCompanyId: 'c-0002', pbCompanyName: 'Acme Dental', active: true, mapped: false, excluded: false, autotaskCompany: null, contract: null,
  status: 'ok', detail: 'Up to date: Password Boss Standard: 12 units, already correct', lastSyncAt: '2026-11-02T06:00:04.000Z', lastRunId: '0190f0f0-0000-7000-8000-000000000002',
  leftBehind: [{ contractId: 5001, serviceId: 301, units: 12 }], release: 'keep',
};


const companyMappingRoutes: FastifyPluginAsyncZod<CompanyMappingRouteDeps> = async (app, { services, autotask, refreshAfterMs = 300_000, cacheEntries = 200 }) => {
  const { db } = services;
  const refreshedAt = new Map<string, number>();
  const inProgress = new Map<string, Promise<void>>();

  // Pages of the list, keyed by the partner's companies_version (bumped by a trigger whenever any
  // of its rows changes), so an entry is served only while the rows it was read from are unchanged.
  const pages = new TtlCache<Awaited<ReturnType<typeof listCompanyMappings>>>(60_000, cacheEntries);
  // The ledger is read next to the mappings that produce it.
  await app.register(billingLedgerRoutes, { db });

  /** A stop's answer: what the company leaves behind, and the MSP's choice about it recorded. */
  async function stopped(pid: string, row: CompanyMappingRow, release: 'keep' | 'zero') {
    const leftBehind = leftBehindOf(row.pbCompanyId, await listOwnedPairs(db, pid, row.pbCompanyId));
    if (release === 'zero') await requestReleases(db, pid, row.pbCompanyId, leftBehind);
    else await withdrawReleases(db, pid, row.pbCompanyId);
    return { ...companyView(row), leftBehind, release };
  }

  /** The 422 for a contract another company of the partner holds, naming it. */
  async function contractTaken(pid: string, pbCompanyId: string, contractId: number) {
    const holder = await findContractHolder(db, pid, contractId, pbCompanyId);
    const who = holder ? `'${holder.pbCompanyName}' (${holder.pbCompanyId})` : 'another Password Boss company';
    return unprocessable('contract_taken', `Contract #${contractId} is already mapped to ${who}; one contract bills one company — pick this company's own contract, or unmap ${who} first`, { rule: 'contract_taken', pbCompanyId: holder?.pbCompanyId ?? null, pbCompanyName: holder?.pbCompanyName ?? null });
  }

  /** Reads the partner's Password Boss company list into its rows; one read per partner at a time. */
  function readList(pid: string): Promise<void> {
    let running = inProgress.get(pid);
    if (!running) {
      running = mapIntegrationErrors(async () => {
        const companies = await services.passwordboss.companies(pid);
        await refreshCompanies(db, pid, companies);
        refreshedAt.set(pid, Date.now());
      }).finally(() => inProgress.delete(pid));
      inProgress.set(pid, running);
    }
    return running;
  }

  const stale = (pid: string) => Date.now() - (refreshedAt.get(pid) ?? 0) >= refreshAfterMs;

  /** Brings the Password Boss company list in when it is older than refreshAfterMs; true if it did. */
  async function refresh(pid: string, force = false): Promise<boolean> {
    if (!force && !stale(pid)) return false;
    await readList(pid);
    return true;
  }

  /**
   * For a read of the list: waits for Password Boss only when asked to (`refresh=true`) or when
   * the partner has no stored list yet (companies_version 0). Otherwise the stored rows answer at
   * once and a stale list is read in the background: reading 5,000 companies takes seconds, and
   * the portal's first render waited for it on every API start and every 5 minutes. A change it
   * brings bumps companies_version, so the next read shows it (the portal asks with refresh=true
   * right after its first render).
   */
  async function refreshForRead(pid: string, storedVersion: number, force: boolean): Promise<boolean> {
    if (force || storedVersion === 0) return refresh(pid, force);
    // One background read at a time, with one handler for its failure (not one per waiting read).
    if (stale(pid) && !inProgress.has(pid)) {
      readList(pid).catch((err: unknown) => {
        // Tried again in a minute, not on every read while Password Boss is down.
        refreshedAt.set(pid, Date.now() - refreshAfterMs + 60_000);
        app.log.warn({ err, partnerId: pid }, 'reading the Password Boss company list in the background failed; the stored list is served');
      });
    }
    return false;
  }

  /**
   * Makes sure the company has a row, asking Password Boss for this one company when the list read
   * earlier does not have it (created since): the MSP maps a new company at once, not after the
   * next refresh; a lookup costs one request, where re-reading the list costs one per 500.
   * Saving it bumps the partner's companies_version, so cached pages of the list show it too.
   */
  async function knownCompany(pid: string, pbCompanyId: string, onDemand: () => Promise<void>): Promise<void> {
    if (await findCompanyMapping(db, pid, pbCompanyId)) return;
    // Throttled: any id a partner makes up costs a request on the token every partner shares.
    await onDemand();
    const company = await mapIntegrationErrors(() => services.passwordboss.company(pid, pbCompanyId));
    if (!company) throw new ApiError(404, 'not_found', `Password Boss has no company '${pbCompanyId}' for this partner; check the id against the company list (GET …/company-mappings?refresh=true reads it again)`);
    await refreshCompanies(db, pid, [company]);
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
        excluded: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('mapped=false&excluded=false: the companies still to map'),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        refresh: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('read the company list from Password Boss now'),
      }).strict(),
      response: { 200: z.object({ items: z.array(itemSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }), ...errors, 429: errorBodySchema },
    },
  }, async (request, reply) => {
    const { pid } = request.params;
    const partner = await requireConfiguredPartner(db, request, pid);
    const q = request.query;
    // A forced refresh reads the whole list on the token every partner shares: throttled.
    if (q.refresh === true) await app.limits.assertAllowed('passwordBossRead', request, reply);
    const read = () => listCompanyMappings(db, pid, { search: q.search, status: q.status, mapped: q.mapped, excluded: q.excluded, limit: q.limit, offset: q.offset });
    // A refresh may change the rows after the version was read: read them directly then.
    const refreshed = await refreshForRead(pid, partner.companiesVersion, q.refresh === true);
    const key = [pid, partner.companiesVersion, q.search ?? '', q.status ?? '', q.mapped ?? '', q.excluded ?? '', q.limit, q.offset].join('\u0000');
    const { items, total } = refreshed ? await read() : await pages.get(key, read);
    return { items: items.map(companyView), total, limit: q.limit, offset: q.offset };
  });

  app.put('/v1/partners/:pid/company-mappings/:pbCompanyId', {
    schema: {
      tags: ['mappings'],
      operationId: 'putCompanyMapping',
      summary: 'Map a Password Boss company to an Autotask company and its Recurring Service contract, or exclude it',
      description:
        '`{autotaskCompanyId, autotaskContractId}` maps the company. The contract must exist, belong to that company, be a Recurring Service contract and not have ended, and no other Password Boss company of the partner may hold it (`contract_taken`, naming that company); each broken rule answers 422 with its code. ' +
        'A company Password Boss created since the list was last read is looked up by id and added at once; an id Password Boss does not know answers 404. ' +
        '`{excluded: true}` excludes the company (billed by hand: unmapped, never synced, no warning) and answers `leftBehind` like an unmap, honouring `?release=`; `{excluded: false}` takes it back, unmapped.',
      params: pbCompanyParams,
      querystring: stopQuery,
      body: z.union([mapBody, excludeBody]),
      response: { 200: itemSchema.extend({ leftBehind: z.array(leftBehindSchema).optional(), release: z.enum(['keep', 'zero']).optional() }).meta({ examples: [{ ...stopExample, status: 'excluded', detail: null, excluded: true }] }), ...errors, 429: errorBodySchema },
    },
  }, async (request, reply) => {
    const { pid, pbCompanyId } = request.params;
    const partner = await requireConfiguredPartner(db, request, pid);
    await refresh(pid);
    await knownCompany(pid, pbCompanyId, () => app.limits.assertAllowed('passwordBossRead', request, reply));
    const body = request.body;
    if ('excluded' in body) {
      const row = await setCompanyExcluded(db, pid, pbCompanyId, body.excluded);
      if (!row) throw notFound(`Password Boss company '${pbCompanyId}'`);
      return body.excluded ? stopped(pid, row, request.query.release) : companyView(row);
    }
    const { autotaskCompanyId, autotaskContractId } = body;
    const company = await autotask.company(pid, autotaskCompanyId);
    const client = await autotask.client(pid);
    const contracts = await mapIntegrationErrors(() => client.contractsByIds([autotaskContractId]));
    return companyView(await mapCompany(pid, todayIn(services.now(), partner.timezone), pbCompanyId, autotaskCompanyId, company, contracts[0]));
  });

  /**
   * Saves one mapping once its Autotask company and contract have been read (one by one for a
   * PUT, in batches for a bulk confirm): the contract rules, then one contract, one company.
   */
  async function mapCompany(pid: string, today: string, pbCompanyId: string, autotaskCompanyId: number, company: AtCompany | null | undefined, contract: AtContract | undefined): Promise<CompanyMappingRow> {
    if (!company) throw unprocessable('company_not_found', `Autotask has no company #${autotaskCompanyId}; search for the company again`);
    const verdict = contractEligibility(contract, autotaskCompanyId, today);
    if (verdict) throw unprocessable(verdict.code, verdict.message, { rule: verdict.code });
    const autotaskContractId = contract!.id;
    // Checked here for the answer's sake; the unique index decides when two saves race.
    if (await findContractHolder(db, pid, autotaskContractId, pbCompanyId)) throw await contractTaken(pid, pbCompanyId, autotaskContractId);
    let row: CompanyMappingRow | undefined;
    try {
      row = await saveCompanyMapping(db, pid, pbCompanyId, { autotaskCompanyId, autotaskCompanyName: company.companyName, autotaskContractId, autotaskContractName: contract!.contractName });
    } catch (err) {
      if (err instanceof ContractTakenError) throw await contractTaken(pid, pbCompanyId, autotaskContractId);
      throw err;
    }
    if (!row) throw notFound(`Password Boss company '${pbCompanyId}'`);
    // Billed again: an earlier request to zero what it left behind no longer stands.
    await withdrawReleases(db, pid, pbCompanyId);
    return row;
  }

  app.delete('/v1/partners/:pid/company-mappings/:pbCompanyId', {
    schema: {
      tags: ['mappings'],
      operationId: 'deleteCompanyMapping',
      summary: 'Unmap a company (its status and history are kept); answers the units left behind',
      description:
        'Unmapping stops billing the company through this service. Autotask cannot remove a service from a contract, so the (contract, service) pairs the service set keep their units: the answer lists them as `leftBehind`. `?release=zero` has the next run set them to 0 instead; `keep` (the default) withdraws any earlier request to zero them.',
      params: pbCompanyParams,
      querystring: stopQuery,
      response: { 200: stopAnswer.meta({ examples: [stopExample] }), ...errors },
    },
  }, async (request) => {
    const { pid, pbCompanyId } = request.params;
    await requireConfiguredPartner(db, request, pid);
    const row = await clearCompanyMapping(db, pid, pbCompanyId);
    if (!row) throw notFound(`Password Boss company '${pbCompanyId}'`);
    return stopped(pid, row, request.query.release);
  });

  // Suggestions and bulk confirm map through the same steps as one PUT.
  await app.register(companySuggestionRoutes, { services, autotask, mapping: { refresh, knownCompany, mapCompany } });
};

export default companyMappingRoutes;

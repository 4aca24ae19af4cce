/**
 * Mapping at scale (issue 17): match suggestions for the companies still to map, and a bulk
 * confirm that answers each row on its own. A suggestion is never applied by itself: GET only
 * reads, and only the MSP's POST maps.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps/deps.ts';
import { listCompanyStates, listUnmappedCompanies, type CompanyMappingRow } from '../../db/repositories/company-mappings.ts';
import type { AtCompany, AtContract } from '../../integrations/autotask/schemas.ts';
import { CUSTOMER_COMPANY_TYPE } from '../../sync/autotask-company-types.ts';
import { todayIn } from '../../sync/billing-month.ts';
import { createNameMatcher, type NameMatch } from '../../sync/company-match.ts';
import { proposeContract } from '../../sync/contract-proposal.ts';
import { ApiError, errorBodySchema } from '../errors.ts';
import { requireConfiguredPartner } from '../plugins/auth.ts';
import { companyTypesQuery, partnerParams } from '../schemas.ts';
import type { PartnerAutotask } from '../services/partner-autotask.ts';
import { companyView, itemSchema } from './company-mapping-view.ts';

/** Autotask ids are int32: a larger number is a typo, answered here rather than by Autotask. */
const autotaskId = z.number().int().positive().max(2_147_483_647);

/** The steps one PUT takes, shared so a bulk row is held to exactly the same rules. */
export interface MappingSteps {
  refresh(pid: string): Promise<boolean>;
  knownCompany(pid: string, pbCompanyId: string, onDemand: () => Promise<void>): Promise<void>;
  mapCompany(pid: string, today: string, pbCompanyId: string, autotaskCompanyId: number, company: AtCompany | null | undefined, contract: AtContract | undefined): Promise<CompanyMappingRow>;
}

export interface CompanySuggestionRouteDeps {
  services: Deps;
  autotask: PartnerAutotask;
  mapping: MappingSteps;
}

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 502: errorBodySchema, 503: errorBodySchema };


const candidateSchema = z.object({
  autotaskCompany: z.object({ id: z.number().int(), name: z.string(), type: z.number().int().nullable() }),
  match: z.enum(['exact', 'fuzzy']).describe('exact: equal once case, punctuation and legal suffixes are ignored'),
  score: z.number().describe('1 for exact; the similarity otherwise'),
  reason: z.string(),
  contract: z.object({ id: z.number().int(), name: z.string() }).nullable().describe("the company's single live Recurring Service contract that no other company holds"),
  contractNote: z.string().nullable().describe('why no contract is proposed'),
});
const suggestionSchema = z
  .object({ pbCompanyId: z.string(), pbCompanyName: z.string(), active: z.boolean(), candidates: z.array(candidateSchema).min(1) })
  .meta({ id: 'MappingSuggestion' });
export type MappingSuggestionView = z.output<typeof suggestionSchema>;

const suggestionExample = {
  items: [{
    pbCompanyId: 'c-0002', pbCompanyName: 'Acme Dental', active: true,
    candidates: [{ autotaskCompany: { id: 1002, name: 'Acme Dental, LLC', type: 1 }, match: 'exact', score: 1, reason: "Same name apart from case, punctuation and the legal suffix 'llc'", contract: { id: 5001, name: 'Acme Dental, LLC - Managed Services' }, contractNote: null }],
  }],
  total: 1, unmatched: 0, limit: 100, offset: 0, companyTypes: [1],
};

const bulkRow = z.object({ pbCompanyId: z.string().min(1).max(200), autotaskCompanyId: autotaskId, autotaskContractId: autotaskId }).strict();
const bulkBody = z
  .object({ items: z.array(bulkRow).min(1).max(500) })
  .strict()
  .refine((b) => new Set(b.items.map((i) => i.pbCompanyId)).size === b.items.length, { message: 'each Password Boss company may appear once', path: ['items'] });
const bulkResult = z.object({
  pbCompanyId: z.string(),
  status: z.number().int().describe('what a PUT of this row alone would have answered: 200, or 404/422/429/502/503'),
  mapping: itemSchema.optional(),
  error: errorBodySchema.shape.error.optional(),
});
export type BulkResultView = z.output<typeof bulkResult>;

const companySuggestionRoutes: FastifyPluginAsyncZod<CompanySuggestionRouteDeps> = async (app, { services, autotask, mapping }) => {
  const { db } = services;

  app.get('/v1/partners/:pid/company-mappings/suggestions', {
    schema: {
      tags: ['mappings'],
      operationId: 'getMappingSuggestions',
      summary: 'Suggested Autotask companies (and contracts) for the companies still to map',
      description:
        'For each Password Boss company that is neither mapped nor excluded, up to 3 Autotask companies of the chosen types: names equal once case, punctuation and legal suffixes (Inc, LLC, Ltd, GmbH, …) are ignored first (`exact`), otherwise the most similar (`fuzzy`, score ≥ 0.55), each with its reason. ' +
        "A candidate proposes the Autotask company's one live Recurring Service contract when there is exactly one and no other company of the partner holds it. Nothing is saved: confirm with `POST …/company-mappings/bulk`. " +
        'Exact matches come first. `unmatched` counts the companies with no candidate.',
      params: partnerParams,
      querystring: z.object({
        companyTypes: companyTypesQuery.default([CUSTOMER_COMPANY_TYPE]),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      }).strict(),
      response: {
        200: z.object({ items: z.array(suggestionSchema), total: z.number().int(), unmatched: z.number().int(), limit: z.number().int(), offset: z.number().int(), companyTypes: z.array(z.number().int()) }).meta({ examples: [suggestionExample] }),
        ...errors,
      },
    },
  }, async (request) => {
    const { pid } = request.params;
    const partner = await requireConfiguredPartner(db, request, pid);
    const { companyTypes, limit, offset } = request.query;
    await mapping.refresh(pid);
    const [unmapped, atCompanies, states] = await Promise.all([listUnmappedCompanies(db, pid), autotask.activeCompanies(pid, companyTypes), listCompanyStates(db, pid)]);
    const match = createNameMatcher(atCompanies.map((c) => ({ id: c.id, name: c.companyName })));
    const matched: Array<{ company: (typeof unmapped)[number]; matches: NameMatch[] }> = [];
    for (const company of unmapped) {
      const matches = match(company.pbCompanyName);
      if (matches.length) matched.push({ company, matches });
    }
    // Exact ones first: they are the ones an MSP confirms in bulk without a second look.
    matched.sort((a, b) => b.matches[0]!.score - a.matches[0]!.score || a.company.pbCompanyName.localeCompare(b.company.pbCompanyName));
    const page = matched.slice(offset, offset + limit);

    const atById = new Map(atCompanies.map((c) => [c.id, c]));
    const candidateIds = [...new Set(page.flatMap((p) => p.matches.map((m) => m.id)))];
    const contracts = candidateIds.length ? await autotask.contractsOfCompanies(pid, candidateIds) : [];
    const contractsOf = new Map<number, AtContract[]>();
    for (const c of contracts) contractsOf.set(c.companyID, [...(contractsOf.get(c.companyID) ?? []), c]);
    const takenBy = new Map(states.filter((s) => s.contractId !== null).map((s) => [s.contractId!, s.pbCompanyName]));
    const today = todayIn(services.now(), partner.timezone);
    return {
      items: page.map(({ company, matches }) => ({
        pbCompanyId: company.pbCompanyId,
        pbCompanyName: company.pbCompanyName,
        active: company.pbCompanyActive,
        candidates: matches.map((m) => {
          const proposal = proposeContract(contractsOf.get(m.id) ?? [], m.id, today, takenBy);
          return { autotaskCompany: { id: m.id, name: m.name, type: atById.get(m.id)?.companyType ?? null }, match: m.kind, score: m.score, reason: m.reason, contract: proposal.contract, contractNote: proposal.note };
        }),
      })),
      total: matched.length,
      unmatched: unmapped.length - matched.length,
      limit,
      offset,
      companyTypes,
    };
  });

  app.post('/v1/partners/:pid/company-mappings/bulk', {
    schema: {
      tags: ['mappings'],
      operationId: 'bulkMapCompanies',
      summary: 'Map many companies at once (e.g. confirmed suggestions); each row is answered on its own',
      description:
        'Each row is checked and saved exactly like `PUT …/company-mappings/:pbCompanyId`, one after the other, so a row whose contract an earlier row took gets 422 `contract_taken`. ' +
        'A broken row never stops the others: the answer is 200 with one result per row, in order, carrying the status and error that row alone would have got. Up to 500 rows.',
      params: partnerParams,
      body: bulkBody,
      response: { 200: z.object({ results: z.array(bulkResult), saved: z.number().int(), failed: z.number().int() }), ...errors, 422: errorBodySchema },
    },
  }, async (request, reply) => {
    const { pid } = request.params;
    const partner = await requireConfiguredPartner(db, request, pid);
    const { items } = request.body;
    await mapping.refresh(pid);
    // Autotask is read in batches (500 ids a query), not once per row.
    const [companies, contracts] = await Promise.all([
      autotask.companiesByIds(pid, items.map((i) => i.autotaskCompanyId)),
      autotask.contractsByIds(pid, items.map((i) => i.autotaskContractId)),
    ]);
    const companyById = new Map(companies.map((c) => [c.id, c]));
    const contractById = new Map(contracts.map((c) => [c.id, c]));
    const today = todayIn(services.now(), partner.timezone);
    const results: BulkResultView[] = [];
    for (const item of items) {
      try {
        await mapping.knownCompany(pid, item.pbCompanyId, () => app.limits.assertAllowed('passwordBossRead', request, reply));
        const row = await mapping.mapCompany(pid, today, item.pbCompanyId, item.autotaskCompanyId, companyById.get(item.autotaskCompanyId), contractById.get(item.autotaskContractId));
        results.push({ pbCompanyId: item.pbCompanyId, status: 200, mapping: companyView(row) });
      } catch (err) {
        // A rule this row broke is its own answer; anything else (the database failing) is the request's.
        if (!(err instanceof ApiError)) throw err;
        results.push({ pbCompanyId: item.pbCompanyId, status: err.statusCode, error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } });
      }
    }
    // A throttled lookup set Retry-After for its row; the answer as a whole is not throttled.
    reply.removeHeader('retry-after');
    const saved = results.filter((r) => r.status === 200).length;
    return { results, saved, failed: results.length - saved };
  });
};

export default companySuggestionRoutes;

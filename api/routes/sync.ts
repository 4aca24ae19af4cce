import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { findSettings } from '../../db/repositories/autotask-settings.ts';
import { listRunResultsWithNames, productAndServiceNames } from '../../db/repositories/run-results.ts';
import { findRun, listRunsPage } from '../../db/repositories/sync-runs.ts';
import { amountTotals } from '../../sync/company-outcome.ts';
import { maySync } from '../../sync/may-sync.ts';
import { plannedChanges, previewTotals } from '../../sync/preview.ts';
import { productResultSchema } from '../../sync/records.ts';
import { runStatuses } from '../../sync/vocabulary.ts';
import { temporalUiLink, type StartedSync } from '../../temporal/sync-starter.ts';
import { conflict, errorBodySchema, notFound, notSavedYet } from '../errors.ts';
import { principalOf, requirePartner } from '../plugins/auth.ts';
import { partnerParams } from '../schemas.ts';
import { planFingerprint } from '../services/plan-fingerprint.ts';
import { resultNames } from '../services/result-names.ts';
import { resultsCsv } from '../services/results-csv.ts';

export interface SyncRouteDeps {
  db: Db;
  startSync: (partnerId: string, options: { companyIds?: string[] | undefined; dryRun: boolean }) => Promise<StartedSync>;
  namespace: string;
  temporalUiUrl: string | undefined;
}

const runSchema = z
  .object({
    id: z.uuid(),
    workflowId: z.string(),
    trigger: z.string(),
    dryRun: z.boolean(),
    status: z.enum(runStatuses),
    billingMonth: z.string().nullable(),
    effectiveDate: z.string().nullable(),
    total: z.number().int(),
    done: z.number().int(),
    failed: z.number().int(),
    unitsChanged: z.number().int(),
    adjustments: z.number().int(),
    detail: z.string().nullable(),
    startedAt: z.date(),
    finishedAt: z.date().nullable(),
    paced: z.boolean().describe('the run is waiting for the tenant\'s Autotask budget (AUTOTASK_BUDGET_SHARE of its hourly threshold)'),
    pacedUntil: z.date().nullable().describe('while paced: when the run reads the Autotask usage again and goes on if there is room'),
    temporalUiUrl: z.string().nullable().describe('admin answers only (the Temporal UI is not tenant-isolated); null for partner keys'),
  })
  .meta({ id: 'SyncRun' });

/** A result row: the company's ProductResult (sync/records.ts) with where it was recorded. */
// The result's own contractId is recorded as the row's autotaskContractId.
const { productId, serviceId, reason, unitPrice, amountChange, ...withContract } = productResultSchema.shape;
const outcome = z.object(withContract).omit({ contractId: true }).shape;
const resultSchema = z
  .object({
    pbCompanyId: z.string(),
    productId,
    autotaskContractId: z.number().int().nullable().describe('the contract written: the company\'s, or the one it moved away from for a zeroed pair'),
    autotaskServiceId: serviceId,
    ...outcome,
    // Always present in answers; null on rows recorded before they existed, or without an action.
    reason: reason.unwrap().describe('why the service got its target: count, product_removed, moved_contract, moved_service, released'),
    unitPrice: unitPrice.unwrap().describe('the contract service\'s unit price; null when unknown (a service not yet on the contract)'),
    amountChange: amountChange.unwrap().describe('(units after − units before) × unit price; null when unknown'),
    pbCompanyName: z.string().nullable().describe('the Password Boss company\'s name; null if the company is no longer listed'),
    productName: z.string().nullable().describe('the product names (joined by " + " when products share a service); null on rows without a product'),
    serviceName: z.string().nullable().describe('the Autotask service\'s name as the product mappings hold it; null for a service no longer mapped'),
    contractName: z.string().nullable().describe('the contract\'s name when it is the company\'s mapped contract; null otherwise'),
    createdAt: z.date(),
  })
  .meta({ id: 'SyncResult' });

const previewSideSchema = z.object({
  changes: z.number().int(),
  companies: z.number().int(),
  seatChange: z.number().int().describe('sum of units after − before'),
  amountChange: z.number().describe('sum of the known amount changes'),
  unpricedChanges: z.number().int().describe('changes whose unit price is unknown, left out of amountChange'),
});

const runDetailSchema = runSchema.extend({
  amountChange: z.number().describe('what the run changes (a dry run: would change) on the invoices: the sum of its results\' known amounts'),
  unpricedChanges: z.number().int().describe('changes whose unit price is unknown, left out of amountChange'),
  planFingerprint: z.string().nullable().describe('a finished dry run (ok or warning): the fingerprint of the changes it shows, which `POST …/sync-runs/:runId/apply` takes; null otherwise'),
  preview: z
    .object({ land: previewSideSchema.describe('changes Apply would write (results `would_set`)'), wait: previewSideSchema.describe('changes beyond the review guardrails that Apply would hold for approval (results `would_hold`, each detail names the guardrail)') })
    .nullable()
    .describe('a dry run: its changes split the way Apply treats them; null for a real run'),
  results: z.array(resultSchema),
});

export type SyncRunView = z.output<typeof runSchema>;
export type SyncRunDetailView = z.output<typeof runDetailSchema>;
export type SyncResultView = z.output<typeof resultSchema>;

/** `error,failed`: each a run status, none twice. */
const runStatusList = z
  .string()
  .max(200)
  .transform((s) => s.split(',').map((v) => v.trim()))
  .pipe(z.array(z.enum(runStatuses)).min(1).refine((l) => new Set(l).size === l.length, 'a status appears twice'))
  .describe('comma-separated run statuses');

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

const syncRoutes: FastifyPluginAsyncZod<SyncRouteDeps> = async (app, deps) => {
  const { db } = deps;

  /** Answers 409 when the partner's integration may not sync (the run would only be skipped). */
  async function assertCanSync(partnerId: string, dryRun: boolean): Promise<void> {
    const settings = await findSettings(db, partnerId);
    // A dry run needs the saved settings too: it reads Autotask to plan.
    if (!settings) throw notSavedYet();
    const verdict = maySync({ configured: true, enabled: settings.enabled }, dryRun);
    if (!verdict.may) throw conflict('integration_disabled', 'The Autotask integration is disabled, so nothing may be sent to Autotask; enable it, or ask for a dry run');
  }
  // The Temporal UI has no tenant isolation (it lists every partner's runs), so only the admin
  // is sent there; a partner's answers carry null.
  const isAdmin = (request: FastifyRequest) => principalOf(request).kind === 'admin';
  const withLink = <T extends { workflowId: string; id: string; status: string; pacedUntil: Date | null }>(request: FastifyRequest, run: T) => ({
    ...run,
    paced: run.status === 'running' && run.pacedUntil !== null,
    pacedUntil: run.status === 'running' ? run.pacedUntil : null,
    temporalUiUrl: isAdmin(request) ? temporalUiLink(deps, run.workflowId, run.id) : null,
  });

  app.post('/v1/partners/:pid/sync', {
    config: { rateLimited: 'syncNow' },
    schema: {
      tags: ['sync'],
      summary: 'Sync now (optionally some companies, optionally a dry run)',
      description: 'Starts a run at once and answers 202. A run already going is returned instead of starting another.',
      params: partnerParams,
      body: z.object({ companyIds: z.array(z.string().min(1).max(200)).min(1).max(10_000).optional(), dryRun: z.boolean().default(false) }).strict().default({ dryRun: false }),
      response: { 202: z.object({ runId: z.uuid(), workflowId: z.string(), temporalUiUrl: z.string().nullable(), alreadyRunning: z.boolean() }), ...errors, 429: errorBodySchema },
    },
  }, async (request, reply) => {
    await requirePartner(db, request, request.params.pid);
    await assertCanSync(request.params.pid, request.body.dryRun);
    const started = await deps.startSync(request.params.pid, { companyIds: request.body.companyIds, dryRun: request.body.dryRun });
    return reply.code(202).send(isAdmin(request) ? started : { ...started, temporalUiUrl: null });
  });

  app.get('/v1/partners/:pid/sync-runs', {
    schema: {
      tags: ['sync'],
      summary: 'Run history, newest first, paged and filtered by status',
      description: '`total` counts every run that matches the filter, for a pager. `status` takes one or more run statuses, comma-separated (`error,failed,warning` for "errors only").',
      params: partnerParams,
      querystring: z
        .object({
          limit: z.coerce.number().int().min(1).max(200).default(20),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
          before: z.iso.datetime({ offset: true }).optional(),
          status: runStatusList.optional(),
        })
        .strict(),
      response: { 200: z.object({ items: z.array(runSchema), total: z.number().int() }), ...errors },
    },
  }, async (request) => {
    await requirePartner(db, request, request.params.pid);
    const { limit, offset, before, status } = request.query;
    const page = await listRunsPage(db, request.params.pid, { limit, offset, before: before ? new Date(before) : undefined, statuses: status });
    return { items: page.items.map((run) => withLink(request, run)), total: page.total };
  });

  app.get('/v1/partners/:pid/sync-runs/:runId', {
    schema: {
      tags: ['sync'],
      summary: 'One run: live progress and per-company results',
      params: partnerParams.extend({ runId: z.uuid() }),
      response: { 200: runDetailSchema, ...errors },
    },
  }, async (request) => {
    await requirePartner(db, request, request.params.pid);
    const run = await findRun(db, request.params.pid, request.params.runId);
    if (!run) throw notFound(`sync run ${request.params.runId}`);
    const [rows, names] = await Promise.all([listRunResultsWithNames(db, run.id), productAndServiceNames(db, run.partnerId)]);
    const results = rows.map((r) => ({ ...r.result, ...resultNames({ ...r.result, ...r }, names) }));
    const previewable = run.dryRun && (run.status === 'ok' || run.status === 'warning');
    return { ...withLink(request, run), ...amountTotals(results), planFingerprint: previewable ? planFingerprint(plannedChanges(results)) : null, preview: run.dryRun ? previewTotals(results) : null, results };
  });

  app.get('/v1/partners/:pid/sync-runs/:runId/results.csv', {
    schema: {
      tags: ['sync'],
      summary: 'One run\'s results as CSV, for a billing review in a spreadsheet',
      description: 'One line per result, the same rows as the run\'s `results`: company, contract, service, units before and after, unit price, amount change, adjustment id, status, reason, detail. RFC 4180; text that a spreadsheet would run as a formula (at the start of a cell, or after a semicolon, where ";" separates cells) gets an apostrophe before its formula sign.',
      params: partnerParams.extend({ runId: z.uuid() }),
      produces: ['text/csv'],
      response: { 200: z.string().describe('text/csv'), ...errors },
    },
  }, async (request, reply) => {
    await requirePartner(db, request, request.params.pid);
    const run = await findRun(db, request.params.pid, request.params.runId);
    if (!run) throw notFound(`sync run ${request.params.runId}`);
    const rows = await listRunResultsWithNames(db, run.id);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="sync-run-${run.id}.csv"`)
      .send(resultsCsv(rows.map((r) => ({ ...r.result, pbCompanyName: r.pbCompanyName }))));
  });
};

export default syncRoutes;

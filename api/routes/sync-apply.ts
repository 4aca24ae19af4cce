/**
 * Apply a preview (issue 17): write exactly what a dry run showed, or say what has changed since.
 *
 * The portal sends the preview's run id and the fingerprint of the changes it showed
 * (sync/preview.ts, api/services/plan-fingerprint.ts). The API plans again with a fresh dry run
 * of the same companies and waits for it; when its changes are the previewed ones it starts the
 * real run for those companies (202), otherwise it answers 409 `plan_changed` with each
 * difference and the fresh dry run as the new preview. The window left between that check and
 * the real run's own plan is a few seconds; a count that moves inside it is written as the real
 * run finds it, as any run would.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { listRunResultsWithNames } from '../../db/repositories/run-results.ts';
import { findRun } from '../../db/repositories/sync-runs.ts';
import { diffChanges, plannedChanges, type ChangeDifference } from '../../sync/preview.ts';
import type { StartedSync } from '../../temporal/sync-starter.ts';
import { ApiError, conflict, errorBodySchema, notFound } from '../errors.ts';
import { principalOf, requirePartner } from '../plugins/auth.ts';
import { partnerParams } from '../schemas.ts';
import { planFingerprint } from '../services/plan-fingerprint.ts';

export interface SyncApplyRouteDeps {
  db: Db;
  startSync: (partnerId: string, options: { companyIds?: string[] | undefined; dryRun: boolean }) => Promise<StartedSync>;
  awaitRun: (workflowId: string, runId: string, timeoutMs: number) => Promise<'closed' | 'timed_out'>;
  /** How long Apply waits for its checking dry run. */
  recheckTimeoutMs?: number;
}

/** One entry of a `plan_changed` answer's `details.differences`. */
export type PlanDifferenceView = ChangeDifference & { pbCompanyName: string | null };

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 429: errorBodySchema, 503: errorBodySchema };

const syncApplyRoutes: FastifyPluginAsyncZod<SyncApplyRouteDeps> = async (app, deps) => {
  const { db } = deps;
  const settledPreview = (status: string) => status === 'ok' || status === 'warning';

  app.post('/v1/partners/:pid/sync-runs/:runId/apply', {
    config: { rateLimited: 'syncNow' },
    schema: {
      tags: ['sync'],
      summary: 'Apply a preview: write what a dry run showed, or answer what changed since',
      description:
        'The body carries the `planFingerprint` of the dry run the portal showed. The API plans again (a dry run of the same companies, which it waits for) and starts the real run for those companies when nothing moved (202). Otherwise 409 `plan_changed`, `details: {differences, preview: {runId, planFingerprint}}`: each pair whose units before → after differ, and the new dry run to show instead. 409 `fingerprint_mismatch` when the fingerprint is not the preview\'s, `not_a_preview` for a run that is not a finished dry run, `nothing_to_apply`, `run_in_progress`.',
      params: partnerParams.extend({ runId: z.uuid() }),
      body: z.object({ planFingerprint: z.string().min(1).max(100) }).strict(),
      response: { 202: z.object({ runId: z.uuid(), workflowId: z.string(), temporalUiUrl: z.string().nullable(), companyIds: z.array(z.string()) }), ...errors },
    },
  }, async (request, reply) => {
    const { pid, runId } = request.params;
    await requirePartner(db, request, pid);
    const preview = await findRun(db, pid, runId);
    if (!preview) throw notFound(`sync run ${runId}`);
    if (!preview.dryRun || !settledPreview(preview.status)) throw conflict('not_a_preview', 'Only a finished dry run (status ok or warning) can be applied; preview again');
    const previewRows = await listRunResultsWithNames(db, preview.id);
    const previewed = plannedChanges(previewRows.map((r) => r.result));
    if (planFingerprint(previewed) !== request.body.planFingerprint) throw conflict('fingerprint_mismatch', 'That fingerprint is not the one of this preview; reload the preview and apply what it shows');
    if (previewed.length === 0) throw conflict('nothing_to_apply', 'The preview changes nothing; there is nothing to apply');
    const companyIds = [...new Set(previewed.map((c) => c.pbCompanyId))];

    const recheck = await deps.startSync(pid, { dryRun: true, companyIds });
    if (recheck.alreadyRunning) throw conflict('run_in_progress', 'Another dry run is going; apply again when it has finished');
    const outcome = await deps.awaitRun(recheck.workflowId, recheck.runId, deps.recheckTimeoutMs ?? 120_000);
    if (outcome === 'timed_out') throw new ApiError(503, 'recheck_timed_out', 'Planning again took too long, so nothing was applied; try again in a few minutes');
    const checked = await findRun(db, pid, recheck.runId);
    if (!checked || !settledPreview(checked.status)) throw conflict('plan_changed', `Planning again ended ${checked?.status ?? 'without a record'}${checked?.detail ? `: ${checked.detail}` : ''}; nothing was applied. Look at the new preview`, { differences: [], preview: { runId: recheck.runId, planFingerprint: null } });
    const rows = await listRunResultsWithNames(db, recheck.runId);
    const now = plannedChanges(rows.map((r) => r.result));
    const differences = diffChanges(previewed, now);
    if (differences.length) {
      // A company that dropped out of the plan (unmapped since) has rows in the preview only.
      const names = new Map([...previewRows, ...rows].map((r) => [r.result.pbCompanyId, r.pbCompanyName]));
      throw conflict('plan_changed', `${differences.length} change${differences.length === 1 ? '' : 's'} moved since the preview; nothing was applied. Look at the new preview and apply it`, {
        differences: differences.map((d): PlanDifferenceView => ({ ...d, pbCompanyName: names.get(d.pbCompanyId) ?? null })),
        preview: { runId: recheck.runId, planFingerprint: planFingerprint(now) },
      });
    }
    const started = await deps.startSync(pid, { dryRun: false, companyIds });
    if (started.alreadyRunning) throw conflict('run_in_progress', 'A sync is already running; apply again when it has finished', { runId: started.runId });
    const admin = principalOf(request).kind === 'admin';
    return reply.code(202).send({ runId: started.runId, workflowId: started.workflowId, temporalUiUrl: admin ? started.temporalUiUrl : null, companyIds });
  });
};

export default syncApplyRoutes;

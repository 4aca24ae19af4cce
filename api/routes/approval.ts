/**
 * Approval (issue 17): a partner's mode and guardrails, and the answers to what a run held.
 *
 * Approve plans the held companies again (a dry run it waits for, as Apply does) and, when their
 * changes are still exactly the held ones, leaves an approval grant per company and starts a real
 * run for them: its planning writes a company past the guardrails only while its plan is that
 * grant's (activities/plan-run.ts), so a count that moves inside the window is held again, never
 * written unseen. Nothing else writes a grant: no body of Sync now or Apply can bypass a guardrail.
 * Reject marks the held rows rejected; Autotask is not touched.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { findApprovalSettings, grantApprovals, markApproved, rejectHeld, revokeGrants, saveApprovalSettings, withdrawUnusedGrants } from '../../db/repositories/approval.ts';
import { findRun } from '../../db/repositories/sync-runs.ts';
import { listRunResultsWithNames } from '../../db/repositories/run-results.ts';
import { approvalSettingsSchema, HELD_ACTION, heldChanges } from '../../sync/approval.ts';
import { canonicalChanges, diffChanges, plannedChanges, withoutHoldMarks } from '../../sync/preview.ts';
import type { StartedSync } from '../../temporal/sync-starter.ts';
import { ApiError, conflict, errorBodySchema, notFound } from '../errors.ts';
import { principalOf, requirePartner } from '../plugins/auth.ts';
import { partnerParams } from '../schemas.ts';
import type { PlanDifferenceView } from './sync-apply.ts';

export interface ApprovalRouteDeps {
  db: Db;
  startSync: (partnerId: string, options: { companyIds?: string[] | undefined; dryRun: boolean }) => Promise<StartedSync>;
  awaitRun: (workflowId: string, runId: string, timeoutMs: number) => Promise<'closed' | 'timed_out'>;
  /** How long Approve waits for its checking dry run. */
  recheckTimeoutMs?: number;
}

const settingsView = approvalSettingsSchema.meta({ id: 'ApprovalSettings' });
export type ApprovalSettingsView = z.output<typeof settingsView>;
const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 429: errorBodySchema, 503: errorBodySchema };
const runParams = partnerParams.extend({ runId: z.uuid() });
const selection = z.object({ companyIds: z.array(z.string().min(1).max(200)).min(1).max(10_000).optional().describe('the held companies to answer; all held ones when absent') }).strict();

const approvalRoutes: FastifyPluginAsyncZod<ApprovalRouteDeps> = async (app, deps) => {
  const { db } = deps;

  app.get('/v1/partners/:pid/approval', {
    schema: { tags: ['approval'], summary: "The partner's approval mode and guardrails (default: auto)", params: partnerParams, response: { 200: settingsView, 401: errorBodySchema, 404: errorBodySchema } },
  }, async (request) => {
    await requirePartner(db, request, request.params.pid);
    return findApprovalSettings(db, request.params.pid);
  });

  app.put('/v1/partners/:pid/approval', {
    schema: {
      tags: ['approval'],
      summary: 'Set the approval mode and guardrails',
      description: '`review` holds a company when any service would move by more than `maxSeatChange` seats or `maxPercentChange` percent (a change from 0 counts as 100 %); null turns a guardrail off. `auto` writes every change.',
      params: partnerParams,
      body: approvalSettingsSchema,
      response: { 200: settingsView, 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema },
    },
  }, async (request) => {
    await requirePartner(db, request, request.params.pid);
    return saveApprovalSettings(db, request.params.pid, request.body);
  });

  /** The run's held rows, grouped by company, limited to the selection (every one must be held). */
  async function heldOf(pid: string, runId: string, companyIds: string[] | undefined) {
    const run = await findRun(db, pid, runId);
    if (!run) throw notFound(`sync run ${runId}`);
    const named = (await listRunResultsWithNames(db, run.id)).filter(({ result: r }) => r.action === HELD_ACTION && r.status === 'held');
    const rows = named.map((n) => n.result);
    const heldIds = [...new Set(rows.map((r) => r.pbCompanyId))];
    if (heldIds.length === 0) throw conflict('nothing_held', 'This run has no change waiting for approval (answered already, or none was held)');
    const notHeld = (companyIds ?? []).filter((id) => !heldIds.includes(id));
    if (notHeld.length) throw conflict('not_held', `Not waiting for approval in this run: ${notHeld.join(', ')}; nothing was done`, { companyIds: notHeld });
    const chosen = companyIds ? [...new Set(companyIds)] : heldIds;
    // Names from the held run too: a company unmapped since has no row in the recheck.
    return { rows: rows.filter((r) => chosen.includes(r.pbCompanyId)), companyIds: chosen, names: named.map((n) => [n.result.pbCompanyId, n.pbCompanyName] as const) };
  }

  app.post('/v1/partners/:pid/sync-runs/:runId/approve', {
    config: { rateLimited: 'syncNow' },
    schema: {
      tags: ['approval'],
      summary: "Approve a run's held changes: write them, unless the counts moved since",
      description:
        'Plans the held companies again (a dry run it waits for). When their changes are still exactly the held ones, starts a run that writes them past the guardrails (202); otherwise 409 `plan_changed` with each difference, nothing written. 409 `nothing_held`, `not_held` (a company given that this run did not hold), `run_in_progress`.',
      params: runParams,
      body: selection,
      response: { 202: z.object({ runId: z.uuid(), workflowId: z.string(), temporalUiUrl: z.string().nullable(), companyIds: z.array(z.string()) }), ...errors },
    },
  }, async (request, reply) => {
    const { pid, runId } = request.params;
    await requirePartner(db, request, pid);
    const held = await heldOf(pid, runId, request.body.companyIds);
    const approved = heldChanges(held.rows);

    const recheck = await deps.startSync(pid, { dryRun: true, companyIds: held.companyIds });
    if (recheck.alreadyRunning) throw conflict('run_in_progress', 'Another dry run is going; approve again when it has finished');
    const outcome = await deps.awaitRun(recheck.workflowId, recheck.runId, deps.recheckTimeoutMs ?? 120_000);
    if (outcome === 'timed_out') throw new ApiError(503, 'recheck_timed_out', 'Planning again took too long, so nothing was approved; try again in a few minutes');
    const checked = await findRun(db, pid, recheck.runId);
    if (!checked || (checked.status !== 'ok' && checked.status !== 'warning')) {
      throw conflict('plan_changed', `Planning again ended ${checked?.status ?? 'without a record'}${checked?.detail ? `: ${checked.detail}` : ''}; nothing was written`, { differences: [] });
    }
    const rows = await listRunResultsWithNames(db, recheck.runId);
    // The recheck holds them again (no grant exists yet): only their numbers are compared.
    const differences = diffChanges(approved, withoutHoldMarks(plannedChanges(rows.map((r) => r.result))));
    if (differences.length) {
      const names = new Map([...held.names, ...rows.map((r) => [r.result.pbCompanyId, r.pbCompanyName] as const)]);
      throw conflict('plan_changed', `${differences.length} change${differences.length === 1 ? '' : 's'} moved since the run held them; nothing was written. Sync again to hold the new numbers for approval`, {
        differences: differences.map((d): PlanDifferenceView => ({ ...d, pbCompanyName: names.get(d.pbCompanyId) ?? null })),
      });
    }

    // A Reject (or another Approve) may have answered these companies while we planned again:
    // read the held rows once more, so a change the MSP turned down is never written.
    await heldOf(pid, runId, held.companyIds);
    const grants = held.companyIds.map((pbCompanyId) => ({ pbCompanyId, changes: canonicalChanges(approved.filter((c) => c.pbCompanyId === pbCompanyId)) }));
    const grantIds = await grantApprovals(db, pid, runId, grants);
    let started: StartedSync;
    try {
      started = await deps.startSync(pid, { dryRun: false, companyIds: held.companyIds });
    } catch (err) {
      // No run will use these grants; left behind, they would outlive a later Reject's intent.
      await revokeGrants(db, grantIds);
      throw err;
    }
    if (started.alreadyRunning) {
      await revokeGrants(db, grantIds);
      throw conflict('run_in_progress', 'A sync is already running; approve again when it has finished', { runId: started.runId });
    }
    await markApproved(db, runId, held.companyIds, started.runId);
    const admin = principalOf(request).kind === 'admin';
    return reply.code(202).send({ runId: started.runId, workflowId: started.workflowId, temporalUiUrl: admin ? started.temporalUiUrl : null, companyIds: held.companyIds });
  });

  app.post('/v1/partners/:pid/sync-runs/:runId/reject', {
    schema: {
      tags: ['approval'],
      summary: "Reject a run's held changes: Autotask stays as it is",
      description: "Marks the held rows of the given companies (all held ones when absent) `rejected` in the run's results. 409 `nothing_held`, `not_held`.",
      params: runParams,
      body: selection,
      response: { 200: z.object({ companyIds: z.array(z.string()) }), ...errors },
    },
  }, async (request) => {
    const { pid, runId } = request.params;
    await requirePartner(db, request, pid);
    const held = await heldOf(pid, runId, request.body.companyIds);
    const rejected = await rejectHeld(db, runId, held.companyIds);
    await withdrawUnusedGrants(db, pid, rejected);
    return { companyIds: rejected };
  });
};

export default approvalRoutes;

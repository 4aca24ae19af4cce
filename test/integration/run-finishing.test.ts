/**
 * A start that meets the partner's last run still closing (its outcome recorded, its alerts being
 * retried because the webhook is down) answers at once that the run is finishing, instead of
 * holding the request, and every later start of the partner in this process behind it, for the
 * minutes the alert retries may take. Real Temporal, worker, simulators and a real webhook sink.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { syncRuns } from '../../db/schema.ts';
import { createSyncStarter, RunFinishingError } from '../../temporal/sync-starter.ts';
import { installErrorHandlers } from '../../api/plugins/error-handler.ts';
import { bearer, type Stack } from '../support/stack.ts';
import { startAlertSinks, startStackAlertingTo, type AlertSinks } from '../support/alert-sinks.ts';

describe('a start while the last run is still sending its alerts', () => {
  let stack: Stack;
  let sinks: AlertSinks;

  beforeAll(async () => {
    sinks = await startAlertSinks();
    stack = await startStackAlertingTo(sinks);
    const res = await stack.app.inject({
      method: 'PUT', url: `/v1/partners/${stack.partnerId}/notifications`, headers: bearer(stack.adminKey),
      payload: { emails: [], webhookUrl: sinks.webhookUrl, on: ['error', 'warning'] },
    });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(async () => {
    await stack?.close();
    await sinks?.close();
  });

  it('is refused as finishing while the run is open, and starts a new run once it has closed', async () => {
    // The run ends `warning` (the partner has broken companies); its webhook fails twice, so the
    // workflow stays open through two retry pauses after recording its outcome.
    sinks.failNextHooks(2, 503);
    const res = await stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/sync`, headers: bearer(stack.adminKey), payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    const { runId, workflowId } = res.json() as { runId: string; workflowId: string };
    const statusOf = async () => (await stack.db.db.select({ status: syncRuns.status }).from(syncRuns).where(and(eq(syncRuns.partnerId, stack.partnerId), eq(syncRuns.id, runId))))[0]?.status;
    for (let i = 0; i < 600 && (await statusOf()) === 'running'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await statusOf()).toBe('warning');

    const starter = createSyncStarter({ db: stack.db.db, client: () => stack.client, taskQueue: stack.taskQueue, namespace: 'default', temporalUiUrl: undefined, closingWaitMs: 200 });
    await expect(starter(stack.partnerId, { dryRun: false })).rejects.toBeInstanceOf(RunFinishingError);
    // Refused while the run was still open: the answer did not wait for the alert retries.
    const handle = stack.client.workflow.getHandle(workflowId, runId);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    await handle.result();
    const next = await starter(stack.partnerId, { dryRun: false });
    expect(next.alreadyRunning).toBe(false);
    expect(next.runId).not.toBe(runId);
    await stack.client.workflow.getHandle(next.workflowId, next.runId).result();
  }, 120_000);

  it('is answered 409 run_finishing with a Retry-After, never a 500', async () => {
    const app = Fastify();
    installErrorHandlers(app);
    app.get('/', async () => {
      throw new RunFinishingError('p-1');
    });
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(409);
    expect(res.headers['retry-after']).toBe('60');
    expect(res.json()).toMatchObject({ error: { code: 'run_finishing' } });
    await app.close();
  });
});

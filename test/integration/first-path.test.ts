/**
 * The first real path through every layer: the API starts partnerSync on the real Temporal dev
 * server, an activity reads the partner from the database and records the run, and the API serves
 * that row — on PGlite and on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { drivers } from '../support/databases.ts';
import { setUpPartner } from '../support/partner-setup.ts';

describe.each(drivers)('first path on %s', (driver) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(driver);
  });
  afterAll(async () => stack?.close());

  it('starts partnerSync from the API and serves the recorded run', async () => {
    await setUpPartner(stack, { companies: (id) => id === 'c-0002' });

    const started = await stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/sync`, headers: bearer(stack.adminKey), payload: {} });
    expect(started.statusCode).toBe(202);
    const { runId, workflowId, temporalUiUrl } = started.json();
    expect(workflowId).toBe(`partner-sync/${stack.partnerId}/now`);
    expect(temporalUiUrl).toContain(encodeURIComponent(workflowId));

    const result = await stack.client.workflow.getHandle(workflowId, runId).result();
    expect(result).toMatchObject({ runId, status: 'ok', total: 1, done: 1 });

    const run = await stack.app.inject({ method: 'GET', url: `/v1/partners/${stack.partnerId}/sync-runs/${runId}`, headers: bearer(stack.adminKey) });
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({ id: runId, workflowId, trigger: 'manual', status: 'ok', total: 1, done: 1 });
    expect(run.json().results.map((r: { pbCompanyId: string }) => r.pbCompanyId)).toContain('c-0002');
    expect(run.json().finishedAt).not.toBeNull();

    const history = await stack.app.inject({ method: 'GET', url: `/v1/partners/${stack.partnerId}/sync-runs`, headers: bearer(stack.adminKey) });
    expect(history.json().items.map((r: { id: string }) => r.id)).toEqual([runId]);
  });

  it('fails a run for an unknown partner without retrying forever', async () => {
    const handle = await stack.client.workflow.start('partnerSync', { taskQueue: stack.taskQueue, workflowId: `partner-sync/ghost/${driver}`, args: [{ partnerId: 'ghost' }] });
    await expect(handle.result()).rejects.toThrow(/Workflow execution failed/);
    const description = await handle.describe();
    expect(description.status.name).toBe('FAILED');
  });

  it('rejects malformed input typed into the Temporal UI', async () => {
    const handle = await stack.client.workflow.start('partnerSync', { taskQueue: stack.taskQueue, workflowId: `partner-sync/bad/${driver}`, args: [{ partner: 'x' } as never] });
    const err = await handle.result().catch((e: Error & { cause?: { message?: string; type?: string } }) => e);
    expect((err as { cause?: { type?: string } }).cause?.type).toBe('InvalidInput');
  });
});

describe('readiness', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite');
  });
  afterAll(async () => stack?.close());

  it('answers /healthz and /readyz when database and Temporal answer', async () => {
    expect((await stack.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await stack.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toEqual({ database: { ok: true }, temporal: { ok: true } });
  });
});

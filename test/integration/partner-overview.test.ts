/** GET /v1/partners: the admin's overview, each partner with its last real run, failing first. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRun, finishRun } from '../../db/repositories/sync-runs.ts';
import type { RunStatus } from '../../sync/vocabulary.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';

describe('admin overview of partners', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('postgres', { worker: false });
  });
  afterAll(async () => stack?.close());

  async function partnerWithRuns(id: string, name: string, runs: Array<{ status: RunStatus; dryRun?: boolean }>) {
    const res = await stack.app.inject({ method: 'POST', url: '/v1/partners', headers: bearer(stack.adminKey), payload: { id, name } });
    expect(res.statusCode, res.body).toBe(201);
    for (const run of runs) {
      const runId = randomUUID();
      await ensureRun(stack.db.db, { id: runId, partnerId: id, workflowId: `partner-sync/${id}/now`, trigger: 'manual', dryRun: run.dryRun ?? false });
      if (run.status !== 'running') await finishRun(stack.db.db, runId, run.status, null);
      await new Promise((r) => setTimeout(r, 5)); // distinct start times
    }
  }

  it('lists failing partners first with their last finished real run', async () => {
    await partnerWithRuns('a-fine', 'Alpha', [{ status: 'error' }, { status: 'ok' }]);
    await partnerWithRuns('b-warn', 'Bravo', [{ status: 'ok' }, { status: 'warning' }, { status: 'ok', dryRun: true }]);
    await partnerWithRuns('c-error', 'Charlie', [{ status: 'ok' }, { status: 'error' }, { status: 'running' }]);
    await partnerWithRuns('d-new', 'Delta', []);
    const res = await stack.app.inject({ method: 'GET', url: '/v1/partners', headers: bearer(stack.adminKey) });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<{ id: string; lastRun: { status: string; finishedAt: string } | null }>;
    expect(items.map((p) => [p.id, p.lastRun?.status ?? null])).toEqual([['c-error', 'error'], ['b-warn', 'warning'], ['a-fine', 'ok'], ['d-new', null]]);
    expect(items[0]!.lastRun!.finishedAt).toEqual(expect.any(String));
  });

  it('is for the admin only', async () => {
    const key = await stack.app.inject({ method: 'POST', url: '/v1/partners/a-fine/api-keys', headers: bearer(stack.adminKey), payload: {} });
    const res = await stack.app.inject({ method: 'GET', url: '/v1/partners', headers: bearer(key.json().key) });
    expect(res.statusCode).toBe(403);
  });
});

/**
 * PostgreSQL restarted (an immediate stop, as a crash) in the middle of a run: the run finishes
 * with exact units and no (contract, service, effective date) adjusted twice, and meanwhile the
 * API says what is wrong (503 with the reason) rather than failing with a 500. The test runs a
 * PostgreSQL of its own, so the restart does not touch the other test files' databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../support/throwaway-postgres.ts';
import { actualUnits, expectedUnits, setUpPartner, writtenAdjustments, type RunView } from '../support/partner-setup.ts';

describe('PostgreSQL restarted mid-run', () => {
  let pg: ThrowawayPostgres;
  let stack: Stack;
  let mapped: string[];
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    stack = await startStack('postgres', { postgresUrl: pg.url, demo: { companies: 30 } });
    ({ mapped } = await setUpPartner(stack));
  });
  afterAll(async () => {
    await stack?.close();
    pg?.stop();
  });

  it('finishes exact, with one adjustment per contract service, and the API answers 503 while it is down', async () => {
    stack.sims.autotask.faults.latencyMs = 150;
    const res = await stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/sync`, headers: bearer(stack.adminKey), payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    const { runId, workflowId } = res.json() as { runId: string; workflowId: string };
    const deadline = Date.now() + 60_000;
    while (writtenAdjustments(stack).size < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const atRestart = writtenAdjustments(stack).size;
    expect(atRestart).toBeLessThan(mapped.length - 2);

    const answers: Array<[string, number, string]> = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        for (const url of ['/readyz', `/v1/partners/${stack.partnerId}/sync-runs/${runId}`, `/v1/partners/${stack.partnerId}/company-mappings?limit=5`]) {
          const r = await stack.app.inject({ url, headers: bearer(stack.adminKey) });
          answers.push([url, r.statusCode, r.body.slice(0, 400)]);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await pg.restart(3_000);
    const summary = (await stack.client.workflow.getHandle(workflowId, runId).result()) as { status: string; done: number };
    polling = false;
    await poll;
    expect(summary).toMatchObject({ status: 'ok', done: mapped.length });
    for (const id of mapped) expect(Object.fromEntries(actualUnits(stack, id, '2026-11-01')), id).toEqual(Object.fromEntries(expectedUnits(stack, id)));
    for (const [key, n] of writtenAdjustments(stack)) expect(n, key).toBe(1);
    const run = (await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/sync-runs/${runId}`, headers: bearer(stack.adminKey) })).json() as RunView;
    expect(run).toMatchObject({ status: 'ok', failed: 0, done: mapped.length });
    // While the database was down: the truth (503 and why), never a 500.
    expect(answers.filter((a) => a[0] === '/readyz' && a[1] === 503).length).toBeGreaterThan(0);
    expect(answers.filter((a) => a[1] >= 500 && a[1] !== 503)).toEqual([]);
    const refused = answers.filter((a) => a[0] !== '/readyz' && a[1] === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const [, , text] of refused) expect(JSON.parse(text)).toEqual({ error: { code: 'database_unavailable', message: expect.stringMatching(/cannot be reached right now; try again/) } });
  }, 120_000);
});

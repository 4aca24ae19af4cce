/**
 * Budget pacing (docs/design.md rule 10), time-compressed: the simulator's hourly threshold runs
 * over a 6-second window. A run that needs about twice its share of the threshold keeps the
 * tenant's usage at or under the share (0.5 by default) at every moment, shows `paced` with the
 * time it resumes while it waits, and still finishes with exact units.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { actualUnits, expectedUnits, setUpPartner, writtenAdjustments, type RunView } from '../support/partner-setup.ts';

const THRESHOLD = 100;
const WINDOW_MS = 6_000;

describe('a run paced against the tenant\'s hourly Autotask budget', () => {
  let stack: Stack;
  let mapped: string[];
  beforeAll(async () => {
    stack = await startStack('postgres', { demo: { companies: 60 }, autotask: { thresholdWindowMs: WINDOW_MS } });
    ({ mapped } = await setUpPartner(stack));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('stays under half the threshold, shows when it resumes, and finishes exact', async () => {
    // Setting the partner up (mapping checks) spends more than the small threshold allows: the
    // threshold drops to its test value after it, on a clean window.
    stack.sims.autotask.options.hourlyThreshold = THRESHOLD;
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    stack.sims.autotask.resetPeakRequestsInWindow();
    const res = await stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/sync`, headers: bearer(stack.adminKey), payload: {} });
    const { runId, workflowId } = res.json() as { runId: string; workflowId: string };
    const pacedSeen: Array<{ pacedUntil: string }> = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const run = (await stack.app.inject({ method: 'GET', url: `/v1/partners/${stack.partnerId}/sync-runs/${runId}`, headers: bearer(stack.adminKey) })).json() as RunView & { paced: boolean; pacedUntil: string | null };
        if (run.paced) pacedSeen.push({ pacedUntil: run.pacedUntil! });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const started = Date.now();
    const summary = (await stack.client.workflow.getHandle(workflowId, runId).result()) as { status: string; done: number; adjustments: number };
    watching = false;
    await watch;

    expect(summary).toMatchObject({ status: 'ok', done: mapped.length });
    // The run needed more than one window's share: otherwise nothing was paced.
    expect(summary.adjustments * 2).toBeGreaterThan(THRESHOLD / 2);
    expect(stack.sims.autotask.peakRequestsInWindow()).toBeLessThanOrEqual(THRESHOLD / 2);
    expect(pacedSeen.length).toBeGreaterThan(0);
    expect(new Date(pacedSeen[0]!.pacedUntil).getTime()).toBeGreaterThan(started);
    for (const id of mapped) expect(Object.fromEntries(actualUnits(stack, id, '2026-11-01')), id).toEqual(Object.fromEntries(expectedUnits(stack, id)));
    for (const [key, n] of writtenAdjustments(stack)) expect(n, key).toBe(1);
    const after = (await stack.app.inject({ method: 'GET', url: `/v1/partners/${stack.partnerId}/sync-runs/${runId}`, headers: bearer(stack.adminKey) })).json() as { paced: boolean; pacedUntil: string | null };
    expect(after).toMatchObject({ paced: false, pacedUntil: null });
  }, 180_000);
});

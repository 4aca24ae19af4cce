/**
 * The sync engine on the real Temporal dev server with both simulators over HTTP: exact units,
 * a second run that writes nothing, a product switch, dry runs, "sync now" de-duplication,
 * progress, and continue-as-new.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { actualUnits, expectedUnits, setUpPartner, syncNow, writtenAdjustments } from '../support/partner-setup.ts';

const EFFECTIVE = '2026-11-01';

describe('a partner with several companies and both products', () => {
  let stack: Stack;
  let mapped: string[];
  beforeAll(async () => {
    stack = await startStack('pglite');
    ({ mapped } = await setUpPartner(stack, { includeBroken: true }));
  });
  afterAll(async () => stack?.close());

  it('sets every mapped company to its month-end counts, exactly', async () => {
    const { run, summary } = await syncNow(stack, stack.partnerId);
    expect(run).toMatchObject({ billingMonth: '2026-10', effectiveDate: EFFECTIVE, total: mapped.length, done: mapped.length, failed: 2, status: 'warning' });
    expect(summary).toMatchObject({ status: 'warning', total: mapped.length, failed: 2 });
    const { endedContract, otherTypeOnly } = stack.sims.demo.notable;
    for (const id of mapped.filter((x) => x !== endedContract && x !== otherTypeOnly)) {
      expect(Object.fromEntries(actualUnits(stack, id, EFFECTIVE)), id).toEqual(Object.fromEntries(expectedUnits(stack, id)));
    }
    for (const [key, n] of writtenAdjustments(stack)) expect(n, key).toBe(1);
    expect(run.adjustments).toBe(writtenAdjustments(stack).size);
    expect(run.adjustments).toBeGreaterThan(10);
  });

  it('moves a company that switched Standard → Advanced: old service to 0, new to the count', async () => {
    const id = stack.sims.demo.notable.switched;
    const units = actualUnits(stack, id, EFFECTIVE);
    expect(units.get(301)).toBe(0);
    expect(units.get(302)).toBe(expectedUnits(stack, id).get(302));
    expect(units.get(302)).toBeGreaterThan(0);
  });

  it('shows each company its last sync, status and a detail that says what to fix', async () => {
    const res = await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/company-mappings?limit=500`, headers: bearer(stack.adminKey) });
    const items = res.json().items as Array<{ pbCompanyId: string; status: string; detail: string | null; lastSyncAt: string | null }>;
    const byId = new Map(items.map((i) => [i.pbCompanyId, i]));
    expect(byId.get(stack.sims.demo.notable.endedContract)).toMatchObject({ status: 'error', detail: expect.stringMatching(/ended on 2026-09-30 — pick the renewed contract \(#\d+\)/) });
    expect(byId.get(stack.sims.demo.notable.otherTypeOnly)).toMatchObject({ status: 'error', detail: expect.stringContaining('is not a Recurring Service contract') });
    expect(byId.get('c-0002')).toMatchObject({ status: 'ok', lastSyncAt: expect.any(String) });
    expect(byId.get(stack.sims.demo.notable.msp)).toMatchObject({ status: 'never_synced', lastSyncAt: null });
  });

  it('writes zero adjustments on a second run', async () => {
    const before = stack.sims.autotask.state.adjustments.length;
    stack.sims.autotask.faults.log = [];
    const { run } = await syncNow(stack, stack.partnerId);
    expect(run).toMatchObject({ adjustments: 0, unitsChanged: 0, done: mapped.length });
    expect(stack.sims.autotask.state.adjustments.length).toBe(before);
    // Planning reads in batches; unchanged companies cost no further request.
    expect(stack.sims.autotask.faults.log.filter((r) => !/zoneinformation/i.test(r.path)).length).toBeLessThanOrEqual(mapped.length / 100 + 10);
    expect(run.results.filter((r) => r.action === 'unchanged').length).toBeGreaterThan(10);
  });

  it('records a dry run per company without writing to Autotask or touching statuses', async () => {
    stack.sims.passwordboss.partner(stack.partnerId)!.months.at(-1)!.counts.forEach((c) => (c.users += 1));
    const before = stack.sims.autotask.state.adjustments.length;
    const { run } = await syncNow(stack, stack.partnerId, { dryRun: true });
    expect(stack.sims.autotask.state.adjustments.length).toBe(before);
    const wouldSet = run.results.filter((r) => r.action === 'would_set');
    expect(wouldSet.length).toBeGreaterThan(10);
    for (const r of wouldSet) expect(r.unitsAfter).toBe(r.unitsBefore! + 1);
    const list = await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/company-mappings?search=c-0002`, headers: bearer(stack.adminKey) });
    expect(list.json().items[0].lastRunId).not.toBe(run.id);
  });

  it('returns the run already going instead of starting another', async () => {
    stack.sims.autotask.faults.latencyMs = 150;
    try {
      const post = () => stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/sync`, headers: bearer(stack.adminKey), payload: {} });
      const first = (await post()).json();
      const second = (await post()).json();
      expect(second).toMatchObject({ runId: first.runId, workflowId: first.workflowId, alreadyRunning: true });
      const handle = stack.client.workflow.getHandle(first.workflowId, first.runId);
      let progress: { total: number; done: number; phase: string } | undefined;
      for (let i = 0; i < 100 && !(progress && progress.phase === 'syncing'); i++) {
        progress = await handle.query('progress');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(progress).toMatchObject({ phase: 'syncing', total: mapped.length });
      const live = (await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/sync-runs/${first.runId}`, headers: bearer(stack.adminKey) })).json();
      expect(live.status).toBe('running');
      await handle.result();
    } finally {
      stack.sims.autotask.faults.latencyMs = 0;
    }
  });

  it('starts afresh when the run it would return was terminated in Temporal', async () => {
    stack.sims.autotask.faults.latencyMs = 200;
    try {
      const post = () => stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/sync`, headers: bearer(stack.adminKey), payload: {} });
      const first = (await post()).json();
      await stack.client.workflow.getHandle(first.workflowId, first.runId).terminate('operator stopped it');
      const second = (await post()).json();
      expect(second.alreadyRunning).toBe(false);
      expect(second.runId).not.toBe(first.runId);
      const old = (await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/sync-runs/${first.runId}`, headers: bearer(stack.adminKey) })).json();
      expect(old).toMatchObject({ status: 'failed', detail: expect.stringContaining('terminated') });
      await stack.client.workflow.getHandle(second.workflowId, second.runId).result();
    } finally {
      stack.sims.autotask.faults.latencyMs = 0;
    }
  });

  it('continues as new with a small threshold and still syncs every company once', async () => {
    stack.sims.passwordboss.partner(stack.partnerId)!.months.at(-1)!.counts.forEach((c) => (c.users += 1));
    const since = stack.sims.autotask.state.adjustments.length;
    const handle = await stack.client.workflow.start('partnerSync', {
      taskQueue: stack.taskQueue,
      workflowId: `partner-sync/${stack.partnerId}/can-test`,
      args: [{ partnerId: stack.partnerId, tuning: { continueAsNewAfter: 5, childConcurrency: 3, pageSize: 4 } }],
    });
    const summary = (await handle.result()) as { runId: string; done: number; total: number; adjustments: number };
    expect(summary.done).toBe(mapped.length);
    const history = await stack.client.workflow.getHandle(`partner-sync/${stack.partnerId}/can-test`, handle.firstExecutionRunId).fetchHistory();
    expect(history.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    const run = (await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/sync-runs/${handle.firstExecutionRunId}`, headers: bearer(stack.adminKey) })).json();
    expect(run).toMatchObject({ done: mapped.length, total: mapped.length, trigger: 'temporal-ui' });
    expect(new Set(run.results.map((r: { pbCompanyId: string }) => r.pbCompanyId)).size).toBe(mapped.length);
    const written = writtenAdjustments(stack, since);
    expect(written.size).toBe(summary.adjustments);
    for (const [key, n] of written) expect(n, key).toBe(1);
    const { endedContract, otherTypeOnly } = stack.sims.demo.notable;
    for (const id of mapped.filter((x) => x !== endedContract && x !== otherTypeOnly)) {
      expect(Object.fromEntries(actualUnits(stack, id, EFFECTIVE)), id).toEqual(Object.fromEntries(expectedUnits(stack, id)));
    }
  });
});

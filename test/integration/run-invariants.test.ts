/**
 * The run invariants of issue 13 over real Temporal (the shared dev server), the worker, PGlite
 * and both simulators: one run per partner whatever started it (defect 4), a lease left by a
 * terminated run taken over, and one adjustment per contract service over many runs when
 * Autotask never applies it (defect 3).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findRun } from '../../db/repositories/sync-runs.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner, syncNow, writtenAdjustments } from '../support/partner-setup.ts';

const mappingOf = (stack: Stack, id: string) => stack.sims.demo.mappings.find((m) => m.pbCompanyId === id)!;

describe('run invariants', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite', { demo: { companies: 8 } });
    await setUpPartner(stack);
  });
  afterAll(async () => stack?.close());
  beforeEach(() => stack.sims.autotask.faults.clear());

  /** A run started as from the Temporal UI (or a schedule): its own workflow ID, not Sync now's. */
  const startOther = (name: string) =>
    stack.client.workflow.start('partnerSync', { taskQueue: stack.taskQueue, workflowId: `partner-sync/${stack.partnerId}/${name}`, args: [{ partnerId: stack.partnerId }] });
  const bumpCounts = () => stack.sims.passwordboss.partner(stack.partnerId)!.months.at(-1)!.counts.forEach((c) => (c.users += 1));
  /** Waits until the run has taken the lease and reached Autotask's writes. */
  async function untilWriting(runId: string) {
    for (let i = 0; i < 200; i++) {
      const run = await findRun(stack.db.db, stack.partnerId, runId);
      if (run?.total && stack.sims.autotask.faults.log.some((r) => /ContractServiceAdjustments/i.test(r.path))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the run never started writing');
  }

  it('runs one sync per partner whatever started it; the other starts are visible, not silent (defect 4)', async () => {
    bumpCounts();
    const since = stack.sims.autotask.state.adjustments.length;
    stack.sims.autotask.faults.log = [];
    // Every write takes a while, so the first run is still going while the others start.
    stack.sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 100, fault: { kind: 'slow', ms: 300 } });
    const first = await startOther('temporal-ui-1');
    await untilWriting(first.firstExecutionRunId);

    // Sync now answers with the run that is going, though it has another workflow ID.
    const res = await stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/sync`, headers: bearer(stack.adminKey), payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ runId: first.firstExecutionRunId, alreadyRunning: true });

    // A second start from elsewhere ends at once, skipped, naming the running run.
    const second = await startOther('temporal-ui-2');
    const skipped = (await second.result()) as { status: string; detail: string };
    expect(skipped).toMatchObject({ status: 'skipped', detail: expect.stringContaining(first.firstExecutionRunId) });
    expect(await findRun(stack.db.db, stack.partnerId, second.firstExecutionRunId)).toMatchObject({ status: 'skipped', done: 0 });

    expect(await first.result()).toMatchObject({ status: 'ok' });
    const written = writtenAdjustments(stack, since);
    expect(written.size).toBeGreaterThan(0);
    for (const [key, n] of written) expect(n, key).toBe(1);
  });

  it('posts one adjustment over nine runs when Autotask never applies it (defect 3)', async () => {
    const id = 'c-0003';
    const contract = mappingOf(stack, id).autotaskContractId;
    // One product of the company gains 10 users: one service to change.
    const count = stack.sims.passwordboss.partner(stack.partnerId)!.months.at(-1)!.counts.find((c) => c.companyId === id)!;
    count.users += 10;
    const service = count.productId === 'pb-standard' ? 301 : 302;
    const since = stack.sims.autotask.state.adjustments.length;
    stack.sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 1, fault: { kind: 'dropped' } });
    const runs: Array<Awaited<ReturnType<typeof syncNow>>['run']> = [];
    for (let i = 0; i < 9; i++) runs.push((await syncNow(stack, stack.partnerId, { companyIds: [id] })).run);
    const ours = stack.sims.autotask.state.adjustments.slice(since).filter((a) => a.contractID === contract);
    expect(ours).toHaveLength(1);
    for (const run of runs) {
      expect(run).toMatchObject({ status: 'error', adjustments: 0 });
      expect(run.results.find((r) => r.autotaskServiceId === service)).toMatchObject({ errorType: 'AutotaskAdjustmentNotApplied', adjustmentId: ours[0]!.id });
    }
  });
  // Last: the terminated run's local activity may still be posting when it ends, and the pair
  // it touched then waits for that adjustment (rule 8), which would disturb a later test.
  it('takes over the lease of a run that was terminated, and closes that run as failed', async () => {
    bumpCounts();
    stack.sims.autotask.faults.log = [];
    stack.sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 100, fault: { kind: 'slow', ms: 300 } });
    const stuck = await startOther('terminated');
    await untilWriting(stuck.firstExecutionRunId);
    await stuck.terminate('an operator stopped it');
    stack.sims.autotask.faults.clear();

    // Not Sync now (the API closes such runs itself): the worker's own check against Temporal.
    const next = await startOther('after-terminate');
    // It ran (the lease was taken over, not held): ok, or a warning when the terminated run's
    // local activity was still posting and the pair waits for that adjustment to read back.
    expect(['ok', 'warning']).toContain((await next.result()).status);
    expect(await findRun(stack.db.db, stack.partnerId, stuck.firstExecutionRunId)).toMatchObject({ status: 'failed', detail: expect.stringContaining('terminated') });
  });
});

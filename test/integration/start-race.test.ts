/**
 * The start race (issue 15): starts of one partner at the same instant yield exactly one run.
 * Real Temporal (the shared dev server), the worker, both simulators, and the API on each
 * database driver; the requests go out together (Promise.all), several times over. The loser
 * answers `alreadyRunning` with the winner's run, and no run it was told about ends `skipped`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { syncRuns } from '../../db/schema.ts';
import { partnerWorkflowId } from '../../workflows/inputs.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner } from '../support/partner-setup.ts';
import type { Driver } from '../support/databases.ts';

interface Answer {
  runId: string;
  workflowId: string;
  alreadyRunning: boolean;
}

const REPETITIONS = 4;

describe.each<Driver>(['postgres', 'pglite'])('start race on %s', (driver) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(driver, { demo: { companies: 6 } });
    await setUpPartner(stack);
  });
  afterAll(async () => stack?.close());

  const post = async (body: Record<string, unknown>): Promise<Answer> => {
    const res = await stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/sync`, headers: bearer(stack.adminKey), payload: body });
    expect(res.statusCode, res.body).toBe(202);
    return res.json() as Answer;
  };
  /** What a partner's schedule starts: its own workflow ID, and the lease taken by the workflow itself. */
  const scheduled = (rep: number) =>
    stack.client.workflow.start('partnerSync', { taskQueue: stack.taskQueue, workflowId: `${partnerWorkflowId(stack.partnerId, 'scheduled')}-${driver}-${rep}`, args: [{ partnerId: stack.partnerId, trigger: 'schedule' }] });
  const runIds = async () => new Set((await stack.db.db.select({ id: syncRuns.id }).from(syncRuns).where(eq(syncRuns.partnerId, stack.partnerId))).map((r) => r.id));
  const statusOf = async (id: string) => (await stack.db.db.select({ status: syncRuns.status, detail: syncRuns.detail }).from(syncRuns).where(and(eq(syncRuns.partnerId, stack.partnerId), eq(syncRuns.id, id))))[0];
  /** Waits for every run recorded since `before` to close, in Temporal too; returns them with their statuses. */
  async function settled(before: Set<string>) {
    const rows = (await stack.db.db.select({ id: syncRuns.id, workflowId: syncRuns.workflowId }).from(syncRuns).where(eq(syncRuns.partnerId, stack.partnerId))).filter((r) => !before.has(r.id));
    await Promise.all(rows.map((r) => stack.client.workflow.getHandle(r.workflowId, r.id).result()));
    // A start that lost may record its run a moment after answering: none may appear later.
    const all = await stack.db.db.select({ id: syncRuns.id, status: syncRuns.status, detail: syncRuns.detail }).from(syncRuns).where(eq(syncRuns.partnerId, stack.partnerId));
    return all.filter((r) => !before.has(r.id));
  }
  /** Exactly one answer started the run; every other names it as already running. */
  function oneWinner(answers: Answer[]): Answer {
    const winners = answers.filter((a) => !a.alreadyRunning);
    expect(winners, JSON.stringify(answers)).toHaveLength(1);
    for (const a of answers) expect(a.runId).toBe(winners[0]!.runId);
    return winners[0]!;
  }

  /** The requests sent at the same instant start exactly one run, which the winner names and which does its work. */
  async function expectOneRun(bodies: Array<{ dryRun?: boolean }>) {
    const before = await runIds();
    const winner = oneWinner(await Promise.all(bodies.map(post)));
    const runs = await settled(before);
    expect(runs.map((r) => r.id)).toEqual([winner.runId]);
    expect(runs[0]!.status, runs[0]!.detail ?? '').not.toBe('skipped');
  }

  it('four Sync now requests at the same instant start one run; three answer alreadyRunning with it', async () => {
    for (let rep = 0; rep < REPETITIONS; rep++) {
      await expectOneRun([{}, {}, {}, {}]);
    }
  });

  it('a dry run and a real run requested together: one run, the other request names it', async () => {
    for (let rep = 0; rep < REPETITIONS; rep++) {
      // Alternate which comes first, so either kind may win.
      await expectOneRun(rep % 2 ? [{ dryRun: true }, { dryRun: false }] : [{ dryRun: false }, { dryRun: true }]);
    }
  });

  it('Sync now racing a scheduled start: the answer names the one run that works; only the schedule\'s may end skipped', async () => {
    for (let rep = 0; rep < REPETITIONS; rep++) {
      const before = await runIds();
      const [answer, schedule] = await Promise.all([post({}), scheduled(rep)]);
      await schedule.result();
      const runs = await settled(before);
      const working = runs.filter((r) => r.status !== 'skipped');
      expect(working, JSON.stringify(runs)).toHaveLength(1);
      // The run the API answered with is the one that works, whichever won.
      expect(working[0]!.id).toBe(answer.runId);
      if (answer.alreadyRunning) {
        expect(answer.runId).toBe(schedule.firstExecutionRunId);
      } else {
        // The schedule's start lost: recorded skipped, naming the run that holds the lease.
        expect(await statusOf(schedule.firstExecutionRunId)).toMatchObject({ status: 'skipped', detail: expect.stringContaining(answer.runId) });
      }
    }
  });
});

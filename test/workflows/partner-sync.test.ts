/**
 * partnerSync's fan-out on Temporal's time-skipping test server, with the real workflows (the
 * suite's prebuilt bundle) and stub activities keeping the run's "database" in memory: the
 * sliding window of children, paging through the stored plan, continue-as-new with the position
 * and totals carried over, and the drain before the run is closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities/index.ts';
import type { PartnerSyncInput } from '../../workflows/inputs.ts';
import type { CompanyPlan } from '../../sync/plan.ts';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.ts';
import { createTimeSkippingEnvironment } from '../support/temporal-test-server.ts';

/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD: every attribute we define is a keyword. */
const INDEXED_VALUE_TYPE_KEYWORD = 2;

type Totals = { done: number; failed: number; unitsChanged: number; adjustments: number };
type Outcome = { status: 'ok' | 'error'; unitsChanged: number; adjustments: number };

/** Company `position`'s plan: one service to change, so its child calls applyCompanyPlan. */
function planOf(position: number): CompanyPlan {
  return {
    pbCompanyId: `c-${String(position).padStart(4, '0')}`,
    pbCompanyName: `Company ${position}`,
    contractId: 5_000 + position,
    contractName: null,
    actions: [{ serviceId: 301, serviceName: 'Standard', productIds: ['pb-standard'], from: 0, to: position, reason: 'count' }],
    problems: [],
  };
}

/** What each company's write reports: every fifth one fails, so `failed` is counted too. */
const outcomeOf = (position: number): Outcome => (position % 5 === 0 ? { status: 'error', unitsChanged: 0, adjustments: 0 } : { status: 'ok', unitsChanged: position, adjustments: 1 });

const add = (totals: Totals, o: Outcome): Totals => ({
  done: totals.done + 1,
  failed: totals.failed + (o.status === 'error' ? 1 : 0),
  unitsChanged: totals.unitsChanged + o.unitsChanged,
  adjustments: totals.adjustments + o.adjustments,
});
const sumOf = (positions: number[]) => positions.reduce((t, p) => add(t, outcomeOf(p)), { done: 0, failed: 0, unitsChanged: 0, adjustments: 0 });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * The activities a run calls, over an in-memory run. A company's write holds until no other
 * company has started for a moment, so every child the window allows is in flight at once and
 * the peak counted here is the window itself.
 */
function stubActivities(companies: number, raisesAlert = true) {
  const plans = range(1, companies).map((position) => ({ position, plan: planOf(position) }));
  let reportTwice: (reason: string) => void = () => {};
  const state = {
    /** Settles when a company is started a second time: the run has gone wrong, stop waiting for it. */
    startedTwice: new Promise<string>((resolve) => (reportTwice = resolve)),
    pageCalls: [] as Array<{ afterPosition: number; limit: number }>,
    started: [] as number[],
    outcomes: new Map<number, Outcome>(),
    inFlight: 0,
    peak: 0,
    /** Companies still in flight, and those without an outcome, when the run was closed. */
    atFinish: undefined as { inFlight: number; withoutOutcome: number } | undefined,
    /** The alerts the run asked for (rule 14: once per run, whatever its continuations). */
    notified: [] as Array<{ partnerId: string; runId: string }>,
  };
  let lastArrival = 0;
  const quiet = async () => {
    while (Date.now() - lastArrival < 200) await new Promise((r) => setTimeout(r, 25));
  };
  const positionOf = (pbCompanyId: string) => plans.find((p) => p.plan.pbCompanyId === pbCompanyId)!.position;
  const tally = (): Totals => [...state.outcomes.values()].reduce(add, { done: 0, failed: 0, unitsChanged: 0, adjustments: 0 });

  const activities = {
    async startRun(input) {
      return { runId: input.runId, partnerName: 'Northwind', timezone: 'UTC', configured: true, enabled: true, runningRun: null };
    },
    async planRun() {
      return { state: 'planned', billingMonth: '2026-10', effectiveDate: '2026-11-01', total: companies, detail: null };
    },
    async listRunCompanies(input) {
      state.pageCalls.push({ afterPosition: input.afterPosition, limit: input.limit });
      return plans.filter((p) => p.position > input.afterPosition).slice(0, input.limit);
    },
    async applyCompanyPlan(input) {
      const position = positionOf(input.plan.pbCompanyId);
      if (state.started.includes(position)) reportTwice(`company ${position} was started twice (started so far: ${state.started.join(', ')})`);
      state.started.push(position);
      state.inFlight += 1;
      state.peak = Math.max(state.peak, state.inFlight);
      lastArrival = Date.now();
      try {
        await quiet();
      } finally {
        state.inFlight -= 1;
      }
      const outcome = outcomeOf(position);
      state.outcomes.set(position, outcome);
      return { pbCompanyId: input.plan.pbCompanyId, ...outcome };
    },
    async recordCompanyResult(input) {
      // Only a child that failed outright comes here (every plan has a write): the test fails on it.
      throw new Error(`unexpected outcome recorded by the workflow for ${input.pbCompanyId}: ${input.detail}`);
    },
    async failCompanies() {
      throw new Error('planning never fails here');
    },
    // Budget pacing (workflows/budget-pacing.ts) with room to spare: the window alone bounds the run here.
    async readAutotaskBudget() {
      return { used: 0, allowed: 1_000_000, windowMs: 3_600_000 };
    },
    async markRunPaced() {
      throw new Error('a run with room to spare is never paced');
    },
    async finishRun(input) {
      state.atFinish = { inFlight: state.inFlight, withoutOutcome: companies - state.outcomes.size };
      return { status: input.status ?? 'ok', ...tally(), raisesAlert };
    },
    async notifyRunOutcome(input) {
      state.notified.push(input);
      return { event: null, reason: 'no_event' as const };
    },
  } satisfies Partial<Activities>;
  return { activities, state };
}

/** Each run of the workflow's chain: the input it started with (a continuation carries position and totals). */
async function runChain(env: TestWorkflowEnvironment, workflowId: string, firstRunId: string): Promise<PartnerSyncInput[]> {
  const inputs: PartnerSyncInput[] = [];
  let runId: string | null | undefined = firstRunId;
  while (runId) {
    const handle: WorkflowHandle = env.client.workflow.getHandle(workflowId, runId);
    const events = (await handle.fetchHistory()).events ?? [];
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    inputs.push(defaultPayloadConverter.fromPayload(started!.input!.payloads![0]!));
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
  }
  return inputs;
}

/**
 * The workflow's result, unless it takes longer than `ms` or `giveUp` settles first (with the
 * reason): then the workflow is terminated and the test fails with the reason.
 */
async function resultWithin<T>(result: Promise<T>, ms: number, giveUp: Promise<string>, terminate: (reason: string) => Promise<void>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  const timedOut = new Promise<string>((resolve) => (timer = setTimeout(resolve, ms, `the workflow did not finish within ${ms / 1000} s`)));
  const stopped = Promise.race([giveUp, timedOut]).then(async (reason): Promise<never> => {
    if (!settled) await terminate(reason);
    throw new Error(reason);
  });
  try {
    return await Promise.race([result, stopped]);
  } finally {
    settled = true;
    clearTimeout(timer);
  }
}

describe('partnerSync fan-out', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnvironment();
    // Children carry the PartnerId search attribute: unregistered, the test server never starts them.
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(Object.keys(SEARCH_ATTRIBUTES).map((name) => [name, INDEXED_VALUE_TYPE_KEYWORD])),
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('keeps the window full but never over, pages through the plan, continues as new and drains', async () => {
    const companies = 23;
    const tuning = { childConcurrency: 3, pageSize: 4, continueAsNewAfter: 6 };
    const { activities, state } = stubActivities(companies);
    const taskQueue = `partner-sync-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { codePath: inject('workflowBundlePath') }, activities });
    const workflowId = `partner-sync/test-${randomBytes(3).toString('hex')}/now`;

    const { summary, chain, progress } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('partnerSync', { taskQueue, workflowId, args: [{ partnerId: 'p1', trigger: 'api', tuning }] });
      // A run that starts a company twice may never end (continuing as new from the same
      // position forever): it fails here, fast, instead of holding the worker past the timeout.
      const summary = await resultWithin(handle.result(), 30_000, state.startedTwice, async (reason) => {
        await env.client.workflow.getHandle(workflowId).terminate(reason);
      });
      const chain = await runChain(env, workflowId, handle.firstExecutionRunId);
      const progress = await env.client.workflow.getHandle(workflowId).query('progress');
      return { summary, chain, progress };
    });

    // Soft: a broken rule often breaks several of these, and each names a different rule.
    // The window: exactly childConcurrency children at the peak, never one more.
    expect.soft(state.peak, 'children in flight at the peak').toBe(tuning.childConcurrency);
    // Every company exactly once across the three runs of the chain: none twice, none skipped.
    expect.soft([...state.started].sort((a, b) => a - b), 'companies started').toEqual(range(1, companies));
    // Pages of pageSize, each after the last company started; a continuation starts where its
    // parent stopped (at a page boundary once continueAsNewAfter children have started).
    expect.soft(state.pageCalls.map((c) => c.limit), 'page sizes asked for').toEqual(state.pageCalls.map(() => tuning.pageSize));
    expect.soft(state.pageCalls.map((c) => c.afterPosition), 'pages asked for').toEqual([0, 4, 8, /* continued */ 8, 12, 16, /* continued */ 16, 20, 23]);
    // Each continuation carries the position and the totals of every company before it.
    const continuations = chain.slice(1).map((input) => input.continuation);
    expect.soft(continuations.map((c) => [c?.afterPosition, c?.generation]), 'continuations').toEqual([[8, 1], [16, 2]]);
    expect.soft(continuations.map((c) => c?.totals), 'totals carried over').toEqual([sumOf(range(1, 8)), sumOf(range(1, 16))]);
    expect.soft(chain.map((input) => [input.partnerId, input.tuning]), 'input carried over').toEqual(chain.map(() => ['p1', tuning]));
    // The drain: the run was closed only after every child had ended, and the totals add up.
    expect.soft(state.atFinish, 'when the run was closed').toEqual({ inFlight: 0, withoutOutcome: 0 });
    const all = sumOf(range(1, companies));
    expect.soft(progress, 'the last run\'s progress').toMatchObject({ ...all, total: companies, phase: 'done' });
    expect.soft(summary, 'the summary').toMatchObject({ status: 'ok', total: companies, billingMonth: '2026-10', ...all });
    // The outcome is told once, by the last run of the chain, about the whole run.
    expect.soft(state.notified, 'alerts asked for').toEqual([{ partnerId: 'p1', runId: (summary as { runId: string }).runId }]);
  });

  it('keeps 150 companies in flight by default, so the confirming reads\' wait does not idle Autotask', async () => {
    const companies = 160;
    const { activities, state } = stubActivities(companies);
    const taskQueue = `partner-sync-${randomBytes(4).toString('hex')}`;
    // Slots beyond the window (a company's write keeps its workflow task open), so the window is the limit.
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { codePath: inject('workflowBundlePath') }, activities, maxConcurrentLocalActivityExecutions: 300, maxConcurrentWorkflowTaskExecutions: 300, maxCachedWorkflows: 400 });
    const workflowId = `partner-sync/test-${randomBytes(3).toString('hex')}/now`;
    const summary = await worker.runUntil(env.client.workflow.execute('partnerSync', { taskQueue, workflowId, args: [{ partnerId: 'p1', trigger: 'api' }] }));
    expect(summary).toMatchObject({ total: companies });
    // More than the old window of 50, never more than 150 (the stub's quiet moment may end a write
    // before the last of the 150 has started, so the peak can fall a little short of it).
    expect(state.peak, 'children in flight at the peak').toBeGreaterThan(100);
    expect(state.peak, 'children in flight at the peak').toBeLessThanOrEqual(150);
  }, 120_000);

  it('asks for no alert when the outcome raises none (an ok run after an ok one)', async () => {
    const { activities, state } = stubActivities(3, false);
    const taskQueue = `partner-sync-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { codePath: inject('workflowBundlePath') }, activities });
    const workflowId = `partner-sync/test-${randomBytes(3).toString('hex')}/now`;
    const summary = await worker.runUntil(env.client.workflow.execute('partnerSync', { taskQueue, workflowId, args: [{ partnerId: 'p1', trigger: 'api' }] }));
    expect(summary).toMatchObject({ status: 'ok', total: 3 });
    expect(state.notified, 'alerts asked for').toEqual([]);
  });
});

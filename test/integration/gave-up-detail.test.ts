/**
 * A retryable failure says "the sync retries automatically" while Temporal retries it. Once the
 * retries have run out, the run and its companies are recorded with that failure's message: what
 * the MSP then reads must not promise a retry that will not come, and must say what happens next.
 * Driven through the real activities in the order partnerSync calls them when planning gives up
 * (Password Boss answering 500 on every attempt); waiting out the real backoff would take minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities/index.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner, type RunView } from '../support/partner-setup.ts';

describe('a run whose retries ran out', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite', { worker: false, demo: { companies: 4 } });
    await setUpPartner(stack);
  });
  afterAll(async () => stack?.close());

  it('is recorded without the promise of a retry, saying that the next sync tries again', async () => {
    const activities = createActivities(stack.deps);
    const env = new MockActivityEnvironment();
    const runId = '0190f0f0-0000-7000-8000-0000000000e1';
    await env.run(activities.startRun, { partnerId: stack.partnerId, runId, workflowId: 'w', trigger: 'api', dryRun: false });
    stack.sims.passwordboss.faults.add({ path: 'month-end-counts', fault: { kind: 'status', status: 500 } });
    const failure = await env.run(activities.planRun, { partnerId: stack.partnerId, runId, dryRun: false, timezone: 'UTC' }).then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    const { message, type } = failure as ApplicationFailure;
    expect(message).toMatch(/retries automatically/); // what Temporal's retries show meanwhile
    // The last attempt failed too: partnerSync records the reason and closes the run.
    await env.run(activities.failCompanies, { runId, partnerId: stack.partnerId, errorType: type!, detail: message });
    await env.run(activities.finishRun, { runId, status: 'error' as const, detail: message });

    const run = (await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/sync-runs/${runId}`, headers: bearer(stack.adminKey) })).json() as RunView;
    const mappings = (await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/company-mappings?mapped=true&limit=100`, headers: bearer(stack.adminKey) })).json() as { items: Array<{ detail: string | null }> };
    const details = [run.detail, ...run.results.map((r) => r.detail), ...mappings.items.map((i) => i.detail)];
    expect(details.length).toBeGreaterThan(2);
    for (const detail of details) {
      expect(detail).toMatch(/^Password Boss answered 500/);
      expect(detail).not.toMatch(/retries automatically/);
      expect(detail).toMatch(/the next sync tries again/);
    }
  });
});

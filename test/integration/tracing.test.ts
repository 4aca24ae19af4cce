/**
 * One trace for a Sync now: the API request's span is the root; under it the workflow start, the
 * partnerSync and companySync workflows, their activities, and the HTTP calls to the Autotask and
 * Password Boss simulators. Spans are collected in memory (runtime/tracing.ts with a test span
 * processor instead of the OTLP exporter).
 */
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../runtime/tracing.ts';
import { setUpPartner, syncNow } from '../support/partner-setup.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';

describe('tracing a Sync now', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let stack: Stack;
  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'pb-autotask-sync-test', spanProcessor: new SimpleSpanProcessor(exporter), sampler: { name: 'parentbased_always_on', ratio: 1 } })!;
    stack = await startStack('pglite', { tracing });
    await setUpPartner(stack, { companies: (id) => ['c-0002', 'c-0003', 'c-0004'].includes(id) });
  });
  afterAll(async () => {
    await stack?.close();
    await tracing?.shutdown();
  });

  it('follows the request through the workflow and activities to the simulators, in one trace', async () => {
    exporter.reset();
    const { run } = await syncNow(stack, stack.partnerId);
    expect(run.status).toBe('ok');
    await tracing.spanProcessor.forceFlush();
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'POST /v1/partners/:pid/sync');
    expect(root, spans.map((s) => s.name).join(', ')).toBeDefined();
    const traceId = root!.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
    const names = new Set(inTrace.map((s) => s.name));
    for (const name of ['StartWorkflow:partnerSync', 'RunWorkflow:partnerSync', 'StartChildWorkflow:companySync', 'RunWorkflow:companySync', 'RunActivity:planRun', 'RunActivity:applyCompanyPlan', 'RunActivity:finishRun']) {
      expect(names.has(name), `${name} in ${[...names].join(', ')}`).toBe(true);
    }
    const httpTo = (url: string) => inTrace.filter((s) => String(s.attributes['url.full'] ?? '').startsWith(url));
    const autotaskOrigin = new URL(stack.sims.zoneLookupUrl).origin;
    expect(httpTo(autotaskOrigin).length).toBeGreaterThan(0);
    expect(httpTo(stack.sims.passwordbossUrl).length).toBeGreaterThan(0);

    // One trace: every workflow and activity span of this run hangs under the request.
    const runSpans = spans.filter((s) => /^(RunWorkflow|RunActivity|StartActivity)/.test(s.name));
    expect(new Set(runSpans.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
    // And it is a tree: every span but the root has its parent in the trace.
    const ids = new Set(inTrace.map((s) => s.spanContext().spanId));
    const orphans = inTrace.filter((s: ReadableSpan) => s !== root && !ids.has(s.parentSpanContext?.spanId ?? ''));
    expect(orphans.map((s) => s.name)).toEqual([]);
    // Nothing secret in any attribute.
    expect(JSON.stringify(inTrace.map((s) => s.attributes))).not.toContain(stack.sims.demo.credentials.secret);
    // Workflow spans name their workflow and run, and carry nothing else of the WorkflowInfo
    // (memo, search attributes, last result: kilobytes a span, most of tracing's cost).
    const company = inTrace.find((s) => s.name === 'RunWorkflow:companySync')!;
    expect(company.attributes).toMatchObject({ 'pbsync.run_id': run.id, temporalWorkflowType: 'companySync' });
    expect(Object.values(company.attributes).every((v) => typeof v !== 'object')).toBe(true);
  });

  it('records nothing anywhere for a Sync now whose trace the caller did not sample', async () => {
    exporter.reset();
    const traceId = 'a1'.repeat(16);
    const res = await stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/sync`, headers: { ...bearer(stack.adminKey), traceparent: `00-${traceId}-${'b2'.repeat(8)}-00` }, payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    const { runId, workflowId } = res.json() as { runId: string; workflowId: string };
    expect(await stack.client.workflow.getHandle(workflowId, runId).result()).toMatchObject({ status: 'ok' });
    await tracing.spanProcessor.forceFlush();
    // The workflows pass the unsampled context on: no activity or HTTP call starts a trace of its own.
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([]);
  });
});

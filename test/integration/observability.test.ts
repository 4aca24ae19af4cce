/**
 * Operations signals of a real sync: /metrics counts the run, its companies and its Autotask
 * requests (admin key only); X-Request-Id round-trips; every worker log line about the run carries
 * its partnerId and runId, and one line tells its outcome.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkLoggerFor } from '../../worker/runtime-telemetry.ts';
import { routeSdkLogs } from '../support/quiet-runtime.ts';
import { setUpPartner, syncNow } from '../support/partner-setup.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';

type Line = Record<string, unknown> & { msg?: string };
const lines: Line[] = [];
// The worker's own SDK logger (the one `npm run worker` installs), capturing its JSON lines.
routeSdkLogs(sdkLoggerFor(pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) })));

/** The value of one sample in Prometheus text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[4]);
  }
  return total;
}

describe('metrics, request ids and run logs', () => {
  let stack: Stack;
  let partnerKey: string;
  beforeAll(async () => {
    stack = await startStack('pglite');
    await setUpPartner(stack, { includeBroken: true });
    partnerKey = (await stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/api-keys`, headers: bearer(stack.adminKey), payload: {} })).json().key;
  });
  afterAll(async () => stack?.close());

  const metrics = async () => {
    const res = await stack.app.inject({ method: 'GET', url: '/metrics', headers: bearer(stack.adminKey) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return res.body;
  };

  it('serves /metrics to the admin only', async () => {
    expect((await stack.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await stack.app.inject({ method: 'GET', url: '/metrics', headers: bearer(partnerKey) })).statusCode).toBe(403);
    const text = await metrics();
    expect(text).toMatch(/^# HELP pbsync_/m);
    // The process's own figures under the names the runbook watches.
    expect(text).toMatch(/^pbsync_process_resident_memory_bytes \d/m);
    // The tenant's Autotask budget, read when the partner's credentials were saved (setUpPartner).
    expect(text).toMatch(new RegExp(`^pbsync_autotask_budget_used_ratio\\{partner="${stack.partnerId}"\\} (0|0?\\.\\d+|1)(e-\\d+)?$`, 'm'));
  });

  it('counts a run, its companies, its adjustments and its Autotask requests', async () => {
    const before = await metrics();
    const { run } = await syncNow(stack, stack.partnerId);
    expect(run.status).toBe('warning');
    const after = await metrics();
    const delta = (name: string, labels?: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('pbsync_runs_finished_total', { status: 'warning' })).toBe(1);
    expect(delta('pbsync_company_syncs_total', { dry_run: 'false' })).toBe(run.total);
    expect(delta('pbsync_company_syncs_total', { status: 'error' })).toBe(run.failed);
    expect(delta('pbsync_adjustments_total')).toBe(run.adjustments);
    expect(delta('pbsync_units_changed_total')).toBe(run.unitsChanged);
    expect(run.adjustments).toBeGreaterThan(0);
    expect(delta('pbsync_autotask_requests_total', { endpoint: 'ContractServiceAdjustments', outcome: 'ok' })).toBe(run.adjustments);
    expect(delta('pbsync_autotask_requests_total', { endpoint: 'ContractServiceUnits' })).toBeGreaterThan(0);
    expect(delta('pbsync_http_request_duration_seconds_count', { route: '/v1/partners/:pid/sync', method: 'POST', status_code: '202' })).toBe(1);
    // Labels are route patterns, never raw URLs with ids.
    expect(after).not.toContain(`route="/v1/partners/${stack.partnerId}`);
  });

  it('keeps a safe X-Request-Id and echoes it; replaces an unsafe one', async () => {
    const kept = await stack.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'lb-7f3a.42:9' } });
    expect(kept.headers['x-request-id']).toBe('lb-7f3a.42:9');
    for (const unsafe of ['a b', '{"level":60}', 'x'.repeat(65), '']) {
      const res = await stack.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': unsafe } });
      expect(res.headers['x-request-id'], unsafe).toMatch(/^[0-9a-f-]{36}$/);
    }
    const made = await stack.app.inject({ method: 'GET', url: '/healthz' });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('tags every worker line about a run with partnerId and runId, and logs its outcome once', async () => {
    lines.length = 0;
    const { run, started } = await syncNow(stack, stack.partnerId);
    await new Promise((r) => setTimeout(r, 500)); // the SDK forwards log lines in 100 ms batches
    const aboutRuns = lines.filter((l) => l.workflowType || l.activityType);
    expect(aboutRuns.length).toBeGreaterThan(10);
    for (const line of aboutRuns) {
      // The SDK writes "Activity started" (debug) before any interceptor sees the activity's input.
      const expected = line.msg === 'Activity started' ? { partnerId: stack.partnerId } : { partnerId: stack.partnerId, runId: started.runId };
      expect(line, JSON.stringify(line)).toMatchObject(expected);
    }
    expect(aboutRuns.filter((l) => l.level as number >= 30).length).toBeGreaterThan(0);
    expect(new Set(aboutRuns.map((l) => l.workflowType))).toEqual(new Set(['partnerSync', 'companySync']));
    const completed = new Set(aboutRuns.filter((l) => l.msg === 'Activity completed').map((l) => l.activityType));
    for (const type of ['startRun', 'planRun', 'finishRun', 'notifyRunOutcome']) expect(completed.has(type), type).toBe(true);
    const finished = lines.filter((l) => l.msg === 'run finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ level: 30, partnerId: stack.partnerId, runId: run.id, status: 'warning', failed: run.failed });
  });
});

/**
 * The worker image's entry as a process: the exact CMD of the Dockerfile's `worker` stage (node
 * with the worker's flags, no npm, no shell), with the stage's ENV, against the suite's Temporal
 * server and a PostgreSQL database. SIGTERM arrives while company writes are in flight, as when
 * a container is stopped: the worker must drain — every write it had started is confirmed and
 * its company's outcome recorded — and exit 0 within the grace time the deployments give it.
 * Another worker then finishes the run with each adjustment written exactly once. While it runs,
 * its METRICS_PORT serves its own metrics and the Temporal SDK's in one scrape.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { syncResults, unitWrites } from '../../db/schema.ts';
import { execForm, readStages, stageEnv } from '../support/dockerfile.ts';
import { setUpPartner, writtenAdjustments } from '../support/partner-setup.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { freePort } from '../../runtime/free-port.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
/** terminationGracePeriodSeconds and stop_grace_period: the worker must be gone before this. */
const GRACE_MS = 60_000;

const stages = readStages();
const command = execForm(stages.get('worker')!, 'CMD')!;
const imageEnv = stageEnv(stages, 'worker');

describe('the worker container entry', () => {
  let stack: Stack;
  let mapped: string[];
  let dir: string;
  let child: ReturnType<typeof spawn> | undefined;
  beforeAll(async () => {
    // The entry runs on the real clock (deps/deps.ts), so the demo data and the API do too.
    stack = await startStack('postgres', { worker: false, demo: { companies: 30, now: new Date() }, now: () => new Date() });
    ({ mapped } = await setUpPartner(stack));
    dir = mkdtempSync(path.join(os.tmpdir(), 'pbas-entry-'));
  });
  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drains in-flight company writes on SIGTERM and exits 0 within the grace time', async () => {
    expect(command.slice(0, 1)).toEqual(['node']);
    expect(command).toEqual(expect.arrayContaining(['--max-old-space-size=256', '--max-semi-space-size=2', '--import', 'tsx', 'worker/main.ts']));
    const healthFile = path.join(dir, 'worker.health');
    const metricsPort = await freePort('127.0.0.1');
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      ...imageEnv,
      // The image's bundle path is inside the image; the suite's bundle is built with the same options.
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      WORKER_HEALTH_FILE: healthFile,
      DATA_DIR: dir,
      DATABASE_URL: (stack.db as { url?: string }).url!,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      SECRETS_KEY: stack.secretsKeyHex,
      ADMIN_API_KEY: stack.adminKey,
      PASSWORDBOSS_API_URL: stack.sims.passwordbossUrl,
      PASSWORDBOSS_API_TOKEN: stack.sims.passwordbossToken,
      AUTOTASK_ZONE_LOOKUP_URL: stack.sims.zoneLookupUrl,
      AUTOTASK_INTEGRATION_CODE: stack.sims.demo.credentials.trackingIdentifier,
      LOG_LEVEL: 'info',
      METRICS_PORT: String(metricsPort),
    };
    expect(Object.keys(imageEnv)).toEqual(expect.arrayContaining(['WORKFLOW_BUNDLE_PATH', 'WORKER_HEALTH_FILE', 'NODE_ENV']));
    const healthcheck = () => {
      try {
        execFileSync(process.execPath, execForm(stages.get('worker')!, 'HEALTHCHECK')!.slice(1), { cwd: root, env, stdio: 'ignore' });
        return 0;
      } catch (err) {
        return (err as { status: number }).status;
      }
    };

    const proc = spawn(process.execPath, command.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

    // Polling: the health file appears, and the image's health check says healthy.
    for (let i = 0; i < 300 && !existsSync(healthFile) && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(healthFile), output).toBe(true);
    expect(healthcheck()).toBe(0);

    stack.sims.autotask.faults.latencyMs = 250;
    const res = await stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/sync`, headers: bearer(stack.adminKey), payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    const { runId, workflowId } = res.json() as { runId: string; workflowId: string };

    // Stop it once writes have gone out and some companies are mid-way: their writes claimed
    // (claimed before sending, applyCompanyPlan) and their outcome not yet recorded.
    const outcomes = async () => {
      const rows = await stack.db.db.select({ company: syncResults.pbCompanyId, errorType: syncResults.errorType }).from(syncResults).where(eq(syncResults.runId, runId));
      return new Map(rows.map((r) => [r.company, r.errorType]));
    };
    const inFlight = async () => {
      const claimed = await stack.db.db.selectDistinct({ company: unitWrites.pbCompanyId }).from(unitWrites).where(eq(unitWrites.runId, runId));
      const recorded = await outcomes();
      return claimed.map((c) => c.company).filter((c) => !recorded.has(c));
    };
    let pending: string[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      pending = await inFlight();
      if (pending.length > 0 && writtenAdjustments(stack).size >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(pending.length, output).toBeGreaterThan(0);
    const sentBefore = writtenAdjustments(stack).size;

    // The worker's own counters (its Autotask writes so far) and the SDK's task slots. The
    // simulator counts a POST when it arrives, the worker when its answer is back (250 ms later),
    // so scrape until the worker has one too.
    const okPosts = /^pbsync_autotask_requests_total\{endpoint="ContractServiceAdjustments",method="POST",outcome="ok"\} [1-9]/m;
    const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    let scraped = await scrape();
    for (let i = 0; i < 50 && !okPosts.test(scraped); i++) {
      await new Promise((r) => setTimeout(r, 100));
      scraped = await scrape();
    }
    expect(scraped, output).toMatch(okPosts);
    expect(scraped).toMatch(/^temporal_worker_task_slots_available\{/m);
    expect(sentBefore).toBeLessThan(mapped.length - 2);

    const stoppedAt = Date.now();
    proc.kill('SIGTERM');
    const code = await exited;
    const took = Date.now() - stoppedAt;
    process.stderr.write(`worker entry: SIGTERM with ${pending.length} compan${pending.length === 1 ? 'y' : 'ies'} mid-write; exit ${code} after ${took} ms\n`);
    expect(code, output).toBe(0);
    expect(took).toBeLessThan(GRACE_MS);
    expect(output).toMatch(/SIGTERM: shutting down/);

    // Drained: every company mid-way at SIGTERM finished its writes and recorded its outcome.
    const recorded = await outcomes();
    for (const company of pending) {
      expect(recorded.has(company), company).toBe(true);
      expect(recorded.get(company), company).toBeNull();
    }
    // Stopped: no more health file, so a probe would report the container unhealthy.
    expect(existsSync(healthFile)).toBe(false);
    expect(healthcheck()).toBe(1);

    // Another worker finishes the run; nothing written twice.
    stack.sims.autotask.faults.latencyMs = 0;
    await stack.startWorker();
    const summary = (await stack.client.workflow.getHandle(workflowId, runId).result()) as { status: string; done: number };
    expect(summary).toMatchObject({ status: 'ok', done: mapped.length });
    for (const [key, n] of writtenAdjustments(stack)) expect(n, key).toBe(1);
  }, 150_000);
});

/**
 * A worker killed with SIGKILL in the middle of a run, then restarted: the run completes with
 * exact units and no (contract, service, effective date) adjusted twice. The worker runs in its
 * own process on PostgreSQL, which both processes share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';
import { FIXED_NOW } from '../support/simulators.ts';
import { actualUnits, expectedUnits, setUpPartner, syncNow, writtenAdjustments } from '../support/partner-setup.ts';

const workerScript = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'support', 'worker-process.ts');

function startWorkerProcess(stack: Stack): Promise<ChildProcess> {
  const config = {
    databaseUrl: (stack.db as { url?: string }).url!,
    temporalAddress: inject('temporalAddress'),
    taskQueue: stack.taskQueue,
    workflowBundlePath: inject('workflowBundlePath'),
    zoneLookupUrl: stack.sims.zoneLookupUrl,
    passwordbossUrl: stack.sims.passwordbossUrl,
    passwordbossToken: stack.sims.passwordbossToken,
    secretsKeyHex: stack.secretsKeyHex,
    trackingIdentifier: stack.sims.demo.credentials.trackingIdentifier,
    now: FIXED_NOW.toISOString(),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

describe('a worker killed mid-run', () => {
  let stack: Stack;
  let mapped: string[];
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    stack = await startStack('postgres', { worker: false, demo: { companies: 30 } });
    ({ mapped } = await setUpPartner(stack));
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await stack?.close();
  });

  it('finishes after a restart with exact units and no duplicate adjustment', async () => {
    children.push(await startWorkerProcess(stack));
    stack.sims.autotask.faults.latencyMs = 250;
    const res = await stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/sync`, headers: { authorization: `Bearer ${stack.adminKey}` }, payload: {} });
    const { runId, workflowId } = res.json() as { runId: string; workflowId: string };

    // Kill it once some, but not all, adjustments have gone out.
    const deadline = Date.now() + 60_000;
    while (writtenAdjustments(stack).size < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    children[0]!.kill('SIGKILL');
    const atKill = writtenAdjustments(stack).size;
    expect(atKill).toBeGreaterThanOrEqual(3);
    expect(atKill).toBeLessThan(mapped.length - 2);

    children.push(await startWorkerProcess(stack));
    const summary = (await stack.client.workflow.getHandle(workflowId, runId).result()) as { status: string; done: number };
    expect(summary).toMatchObject({ status: 'ok', done: mapped.length });
    for (const id of mapped) expect(Object.fromEntries(actualUnits(stack, id, '2026-11-01')), id).toEqual(Object.fromEntries(expectedUnits(stack, id)));
    for (const [key, n] of writtenAdjustments(stack)) expect(n, key).toBe(1);

    stack.sims.autotask.faults.latencyMs = 0;
    const again = await syncNow(stack, stack.partnerId);
    expect(again.run.adjustments).toBe(0);
  }, 120_000);
});

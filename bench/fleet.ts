/**
 * What the sync benchmarks share: partners whose counts changed (each its own Autotask tenant,
 * with its own API user and `ci`, so Autotask's limits and the service's slots are per tenant as
 * they are for real MSPs), seeded in the app's database the way the API would leave it; the
 * worker in its own process with `npm run worker`'s flags; and the check that every unit ended
 * exactly on target.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import postgres from 'postgres';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { Db } from '../db/client.ts';
import { createDb } from '../db/client.ts';
import { createSecretBox } from '../db/secret-box.ts';
import { upsertSettings } from '../db/repositories/autotask-settings.ts';
import { refreshCompanies, saveCompanyMapping } from '../db/repositories/company-mappings.ts';
import { insertPartner } from '../db/repositories/partners.ts';
import { replaceProductMappings } from '../db/repositories/product-mappings.ts';
import { projectRoot } from '../runtime/temporal-cli.ts';
import { createAutotaskSimulator, type AutotaskSimulator, type AutotaskSimulatorOptions } from '../simulators/autotask/server.ts';
import { generateDemoData, type DemoData } from '../simulators/demo-data.ts';
import { bundleOptions } from '../worker/bundle-options.ts';

export const NOW = new Date('2026-11-27T12:00:00Z');
export const EFFECTIVE = '2026-11-01';

export interface Scenario {
  demo: DemoData;
  partnerId: string;
  mapped: DemoData['mappings'];
}

/**
 * Demo data where N companies are mapped to a valid contract, each with one product whose count
 * changed, or (`changed: false`) still equal to the units Autotask holds. `tenant` > 0 gives the
 * partner an Autotask tenant of its own: another API user and `ci`.
 */
export function scenario(n: number, changed = true, partnerId = `bench-${n}`, tenant = 0): Scenario {
  const demo = generateDemoData({ companies: Math.ceil(n * 1.25) + 20, now: NOW, partnerId });
  if (tenant > 0) {
    demo.credentials.username = `sync-api-${tenant}@tenant${tenant}.example`;
    demo.autotask.users = [{ userName: demo.credentials.username, secret: demo.credentials.secret }];
    demo.autotask.ci = 30_000 + tenant;
  }
  const pb = demo.passwordboss.partners[0]!;
  const [previous, latest] = [pb.months.at(-2)!, pb.months.at(-1)!];
  const seeded = new Set(demo.autotask.adjustments!.map((a) => a.contractID));
  const mapped = demo.mappings.filter((m) => seeded.has(m.autotaskContractId) && m.pbCompanyId !== demo.notable.switched && m.pbCompanyId !== demo.notable.endedContract).slice(0, n);
  const prevBy = new Map(previous.counts.map((c) => [c.companyId, c]));
  latest.counts = mapped.map((m) => {
    const before = prevBy.get(m.pbCompanyId)!;
    const by = changed ? 1 : 0;
    return { companyId: m.pbCompanyId, productId: before.productId, users: before.users + by, licenses: before.licenses + by };
  });
  return { demo, partnerId, mapped };
}

/** Moves every count of the partner's latest month, so the next run has a change per company. */
export function bumpCounts(s: Scenario, by: number): void {
  for (const c of s.demo.passwordboss.partners[0]!.months.at(-1)!.counts) c.users += by;
}

export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** A database of its own on the benchmark's PostgreSQL, migrated. */
export async function createBenchDatabase(pgUrl: string, label: string): Promise<{ url: string; db: Awaited<ReturnType<typeof createDb>> }> {
  const name = `bench_${label}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(pgUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = pgUrl.replace(/\/[^/]*$/, `/${name}`);
  const db = await createDb({ databaseUrl: url, dataDir: 'unused' });
  await db.migrate();
  return { url, db };
}

/** The partner, its sealed Autotask credentials, product and company mappings, as the API saves them. */
export async function seedPartner(db: Db, s: Scenario, secretsKey: Buffer): Promise<void> {
  await insertPartner(db, s.demo.partner);
  await upsertSettings(db, s.partnerId, { username: s.demo.credentials.username, secretCiphertext: createSecretBox(secretsKey).seal(s.demo.credentials.secret, s.partnerId), trackingIdentifier: null, enabled: true, countBasis: 'users' });
  await replaceProductMappings(db, s.partnerId, [{ productId: 'pb-standard', productName: 'Password Boss Standard', autotaskServiceId: 301, autotaskServiceName: 'Password Boss Standard' }, { productId: 'pb-advanced', productName: 'Password Boss Advanced', autotaskServiceId: 302, autotaskServiceName: 'Password Boss Advanced' }]);
  await refreshCompanies(db, s.partnerId, s.demo.passwordboss.partners[0]!.companies);
  for (const m of s.mapped) await saveCompanyMapping(db, s.partnerId, m.pbCompanyId, m);
}

/** Every mapped contract service ends with exactly the partner's latest count. */
export function unitsExact(s: Scenario, autotask: AutotaskSimulator): boolean {
  const counts = new Map(s.demo.passwordboss.partners[0]!.months.at(-1)!.counts.map((c) => [c.companyId, c]));
  return s.mapped.every((m) => {
    const target = counts.get(m.pbCompanyId)!;
    const service = target.productId === 'pb-standard' ? 301 : 302;
    return autotask.state.contractServicesOf(m.autotaskContractId).filter((c) => c.serviceID === service).every((c) => autotask.state.unitsAt(c.id, EFFECTIVE) === target.users);
  });
}

/**
 * Many Autotask tenants behind one zone-lookup URL, as Autotask's global zoneInformation sends
 * each API user to its own zone: the worker has one lookup URL, each partner its own simulator.
 */
export interface TenantDirectory {
  zoneLookupUrl: string;
  /** Every tenant's origin, for the worker's AUTOTASK_API_HOSTS: credentials go only there. */
  apiHosts(): string;
  add(s: Scenario, options: Omit<AutotaskSimulatorOptions, 'fixture'>): Promise<AutotaskSimulator>;
  close(): Promise<void>;
}

export async function startTenantDirectory(): Promise<TenantDirectory> {
  const tenants = new Map<string, { sim: AutotaskSimulator; url: string }>();
  const app: FastifyInstance = Fastify({ logger: false });
  app.get('/atservicesrest/v1.0/zoneInformation', async (request, reply) => {
    const user = String((request.query as Record<string, unknown>).user ?? '').toLowerCase();
    const tenant = tenants.get(user);
    if (!tenant) return reply.code(500).send({ errors: [`Zone information could not be determined for user ${user}.`] });
    const res = await fetch(`${tenant.url}/atservicesrest/v1.0/zoneInformation?user=${encodeURIComponent(user)}`);
    return reply.code(res.status).send(await res.json());
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    zoneLookupUrl: `${base}/atservicesrest/v1.0/zoneInformation`,
    apiHosts: () => [...tenants.values()].map((t) => t.url).join(','),
    async add(s, options) {
      const sim = createAutotaskSimulator({ fixture: s.demo.autotask, ...options });
      const url = await sim.app.listen({ host: '127.0.0.1', port: 0 });
      tenants.set(s.demo.credentials.username.toLowerCase(), { sim, url });
      return sim;
    },
    async close() {
      await Promise.all([...tenants.values()].map((t) => t.sim.app.close()));
      await app.close();
    },
  };
}

export interface WorkerProcessConfig {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  workflowBundlePath: string;
  zoneLookupUrl: string;
  passwordbossUrl: string;
  passwordbossToken: string;
  secretsKeyHex: string;
  trackingIdentifier: string;
  now: string;
  /** AUTOTASK_BUDGET_SHARE (unset: the default, 0.5). */
  budgetShare?: number;
  /** AUTOTASK_API_HOSTS (unset: only the zone lookup's origin). */
  apiHosts?: string;
  /** Serve the worker SDK's Prometheus metrics at this host:port. */
  sdkMetricsAddress?: string;
}

/** A worker in its own process (test/support/worker-process.ts), resolved once it polls. */
export function startWorker(config: WorkerProcessConfig, nodeFlags: string[], memoryTrace = false, env: Record<string, string> = {}): Promise<ChildProcess> {
  const script = path.join(projectRoot, 'test', 'support', 'worker-process.ts');
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, JSON.stringify(config), ...(memoryTrace ? ['--memory-trace'] : [])], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...WORKER_ENV, ...env } });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code})`)));
  });
}

/** SIGTERM, then waits up to 15 s for the worker to drain and exit. */
export async function stopWorker(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null) return;
  worker.kill('SIGTERM');
  await Promise.race([new Promise((r) => worker.once('exit', r)), new Promise((r) => setTimeout(r, 15_000))]);
}

export const BENCH_NODE_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=2'];

/** The environment `npm run worker` and the worker image add (glibc's arenas: see the Dockerfile); one set by the caller wins. */
export const WORKER_ENV = { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' };

/** The bundler's logger in the benchmarks: their tables are the output. */
export const silentLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** The workflow bundle built once and written where the worker processes load it from. */
export async function buildBenchBundle(): Promise<string> {
  const bundle = await bundleWorkflowCode({ ...bundleOptions, logger: silentLogger });
  const dir = path.join(projectRoot, '.data', 'bench');
  mkdirSync(dir, { recursive: true });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  return bundlePath;
}

/** What partnerSync returns, as far as the benchmarks read it. */
export interface RunSummary {
  done: number;
  failed: number;
  adjustments: number;
}

/** Starts one partner's Sync now; resolves with its summary and the seconds since `t0`. */
export async function runPartner(client: Client, taskQueue: string, partnerId: string, label: string, t0: number): Promise<{ seconds: number; summary: RunSummary }> {
  const handle = await client.workflow.start('partnerSync', { taskQueue, workflowId: `partner-sync/${partnerId}/${label}`, args: [{ partnerId, trigger: 'api' }] });
  const summary = (await handle.result()) as RunSummary;
  return { seconds: (performance.now() - t0) / 1000, summary };
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

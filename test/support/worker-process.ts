/**
 * A worker in its own process, so a test can SIGKILL it mid-run. Configured by one JSON
 * argument (tests pass what the in-process stack uses).
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { createDb } from '../../db/client.ts';
import { createSecretBox } from '../../db/secret-box.ts';
import { sharedSlotsIn } from '../../deps/autotask-slots.ts';
import { PasswordBossClient } from '../../integrations/passwordboss/client.ts';
import { observeIntegrations } from '../../deps/metrics.ts';
import { tracingFromEnv } from '../../runtime/tracing.ts';
import { loadEnv } from '../../config/env.ts';
import { createSyncWorker } from '../../worker/create-worker.ts';

const config = z.object({
  databaseUrl: z.string(),
  temporalAddress: z.string(),
  taskQueue: z.string(),
  workflowBundlePath: z.string(),
  zoneLookupUrl: z.string(),
  passwordbossUrl: z.string(),
  passwordbossToken: z.string(),
  secretsKeyHex: z.string(),
  trackingIdentifier: z.string(),
  now: z.string(),
  /** AUTOTASK_BUDGET_SHARE; unset, the default. */
  budgetShare: z.number().gt(0).max(1).optional(),
  /** AUTOTASK_API_HOSTS; unset, only the zone lookup's own origin. */
  apiHosts: z.string().optional(),
  /** Serve the SDK's Prometheus metrics (workflow cache, task latencies) here, e.g. 127.0.0.1:9464. */
  sdkMetricsAddress: z.string().optional(),
}).parse(JSON.parse(process.argv[2] ?? '{}'));

Runtime.install({ logger: new DefaultLogger('WARN'), ...(config.sdkMetricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: config.sdkMetricsAddress, countersTotalSuffix: true } } } } : {}) });
// As `npm run worker` does: Autotask requests counted, traces exported when the endpoint is set.
observeIntegrations();
const env = loadEnv();
const tracing = tracingFromEnv(env, 'pb-autotask-sync-worker');
const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: 'unused' });
const connection = await NativeConnection.connect({ address: config.temporalAddress });
const worker = await createSyncWorker({
  connection,
  namespace: 'default',
  taskQueue: config.taskQueue,
  workflowBundlePath: config.workflowBundlePath,
  deps: {
    db: db.db,
    secretBox: createSecretBox(Buffer.from(config.secretsKeyHex, 'hex')),
    autotask: { zoneLookupUrl: config.zoneLookupUrl, defaultTrackingIdentifier: config.trackingIdentifier, sharedSlots: sharedSlotsIn(db.db), ...(config.budgetShare ? { budgetShare: config.budgetShare } : {}), apiHosts: config.apiHosts },
    passwordboss: new PasswordBossClient({ baseUrl: config.passwordbossUrl, token: config.passwordbossToken }),
    now: () => new Date(config.now),
  },
  tracing,
  // WORKER_MAX_* as `npm run worker` reads them, so a benchmark can try other capacities.
  capacity: {
    maxConcurrentActivities: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivities: env.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    maxConcurrentWorkflowTasks: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
  },
});
process.stderr.write(`[worker-process] rss at ready: ${Math.round(process.memoryUsage().rss / 1e6)} MB, peak ${/VmHWM:\s+(\d+)/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))?.[1]} kB\n`);
if (process.argv.includes('--memory-trace')) {
  setInterval(() => {
    const m = process.memoryUsage();
    process.stderr.write(`[worker-process] rss ${Math.round(m.rss / 1e6)} heapUsed ${Math.round(m.heapUsed / 1e6)} heapTotal ${Math.round(m.heapTotal / 1e6)} external ${Math.round(m.external / 1e6)} MB\n`);
  }, 5_000).unref();
}
// If the test or benchmark that started us goes away, so do we.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 500).unref();
process.stdout.write('worker ready\n');
await worker.run(); // returns after SIGTERM (the SDK's runtime drains the worker)
await db.close();
await tracing?.shutdown();
process.exit(0);

/**
 * The service wired for a test: a fresh database on the chosen driver, a worker on its own task
 * queue against the shared dev server, both simulators over HTTP, and the API app (used through
 * `inject` or a listener).
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { buildApp, type App } from '../../api/app.ts';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import type { Tracing } from '../../runtime/tracing.ts';
import { createSyncWorker } from '../../worker/create-worker.ts';
import type { Deps, NotifyConfig } from '../../deps/deps.ts';
import { createSecretBox } from '../../db/secret-box.ts';
import { PasswordBossClient } from '../../integrations/passwordboss/client.ts';
import { createTestDb, type Driver } from './databases.ts';
import { FIXED_NOW, startSimulators, type Simulators } from './simulators.ts';
import type { DbHandle } from '../../db/client.ts';
import type { DemoOptions } from '../../simulators/demo-data.ts';
import type { AutotaskSimulatorOptions } from '../../simulators/autotask/server.ts';
import type { ConfirmReadsOptions } from '../../integrations/autotask/confirm-reads.ts';

export interface Stack {
  /** Unique per stack: test files share one Temporal server, and workflow IDs carry the partner. */
  partnerId: string;
  db: DbHandle;
  app: App;
  client: Client;
  worker: Worker | undefined;
  sims: Simulators;
  deps: Deps;
  /** The key the stack's secret box uses, for a worker in another process. */
  secretsKeyHex: string;
  taskQueue: string;
  adminKey: string;
  /** Starts a (new) worker, e.g. after killing one. */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface StackOptions {
  demo?: DemoOptions;
  autotask?: Omit<AutotaskSimulatorOptions, 'fixture'>;
  /** Start without a worker (a test that starts its own). */
  worker?: boolean;
  now?: () => Date;
  /** Alerts: the SMTP server and whether webhooks may reach the test's loopback listener. */
  notify?: NotifyConfig;
  /** Tracing on: API request spans, a traced Temporal client, the worker's OpenTelemetry parts. */
  tracing?: Tracing;
  /** On PostgreSQL: a server of the test's own instead of the shared one. */
  postgresUrl?: string;
  /** How long confirming reads wait to batch (unset: the service's defaults). */
  confirmReads?: ConfirmReadsOptions;
}

export async function startStack(driver: Driver, options: StackOptions = {}): Promise<Stack> {
  const partnerId = options.demo?.partnerId ?? `demo-${randomBytes(3).toString('hex')}`;
  const [db, sims] = await Promise.all([createTestDb(driver, options.postgresUrl), startSimulators({ ...options.demo, partnerId, ...(options.autotask ? { autotask: options.autotask } : {}) })]);
  const taskQueue = `test-${randomBytes(5).toString('hex')}`;
  const address = inject('temporalAddress');
  const secretsKey = randomBytes(32);
  const deps: Deps = {
    db: db.db,
    secretBox: createSecretBox(secretsKey),
    autotask: { zoneLookupUrl: sims.zoneLookupUrl, defaultTrackingIdentifier: sims.demo.credentials.trackingIdentifier, ...(options.confirmReads ? { confirmReads: options.confirmReads } : {}) },
    passwordboss: new PasswordBossClient({ baseUrl: sims.passwordbossUrl, token: sims.passwordbossToken }),
    now: options.now ?? (() => FIXED_NOW),
    ...(options.notify ? { notify: options.notify } : {}),
  };
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  const startWorker = async () => {
    nativeConnection = await NativeConnection.connect({ address });
    worker = await createSyncWorker({ connection: nativeConnection, namespace: 'default', taskQueue, deps, workflowBundlePath: inject('workflowBundlePath'), shutdownGraceTime: '1 second', tracing: options.tracing });
    running = worker.run();
  };
  const stopWorker = async () => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await nativeConnection?.close();
    worker = undefined;
  };
  if (options.worker !== false) await startWorker();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default', ...(options.tracing ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } } : {}) });
  const app = await buildApp({
    services: deps,
    dbPing: () => db.ping(),
    temporal: { client, ping: async () => void (await connection.workflowService.getSystemInfo({})) },
    adminApiKey: ADMIN_KEY,
    taskQueue,
    namespace: 'default',
    temporalUiUrl: 'http://127.0.0.1:8233',
    // Tests set partners up and sync them many times a minute; test/integration/api-security.test.ts covers the limits.
    rateLimits: { authenticate: { max: 10_000, windowMs: 60_000 }, syncNow: { max: 10_000, windowMs: 60_000 }, passwordBossRead: { max: 10_000, windowMs: 60_000 } },
    tracing: Boolean(options.tracing),
  });
  return {
    partnerId,
    db,
    app,
    client,
    get worker() {
      return worker;
    },
    sims,
    deps,
    secretsKeyHex: secretsKey.toString('hex'),
    taskQueue,
    adminKey: ADMIN_KEY,
    startWorker,
    stopWorker,
    async close() {
      await app.close();
      await stopWorker();
      await connection.close();
      await db.close();
      await sims.close();
      await deps.passwordboss.close();
    },
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/**
 * The service wired for a test: a fresh database on the chosen driver, a worker on its own task
 * queue against the shared dev server, and the API app (used through `inject` or a listener).
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { buildApp, type App } from '../../api/app.ts';
import { createSyncWorker } from '../../worker/create-worker.ts';
import type { ActivityDeps } from '../../activities/index.ts';
import { createTestDb, type Driver } from './databases.ts';
import type { DbHandle } from '../../db/client.ts';

export interface Stack {
  db: DbHandle;
  app: App;
  client: Client;
  worker: Worker;
  taskQueue: string;
  adminKey: string;
  close(): Promise<void>;
}

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export async function startStack(driver: Driver, extraDeps: Partial<ActivityDeps> = {}): Promise<Stack> {
  const db = await createTestDb(driver);
  const taskQueue = `test-${randomBytes(5).toString('hex')}`;
  const address = inject('temporalAddress');
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await createSyncWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps: { db: db.db, ...extraDeps },
    workflowBundlePath: inject('workflowBundlePath'),
    shutdownGraceTime: '1 second',
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const app = await buildApp({
    db: db.db,
    dbPing: () => db.ping(),
    temporal: { client, ping: async () => void (await connection.workflowService.getSystemInfo({})) },
    adminApiKey: ADMIN_KEY,
    taskQueue,
    namespace: 'default',
    temporalUiUrl: 'http://127.0.0.1:8233',
  });
  return {
    db,
    app,
    client,
    worker,
    taskQueue,
    adminKey: ADMIN_KEY,
    async close() {
      await app.close();
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await db.close();
    },
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

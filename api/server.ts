/**
 * The API as a listening server: its Temporal client, the app on HOST:PORT with the portal, and
 * the schedules reconciled in the background once the database and Temporal are both there.
 */
import type { Env } from '../config/env.ts';
import type { Deps } from '../deps/deps.ts';
import type { ManagedDb } from '../runtime/database.ts';
import type { Logger } from '../runtime/logger.ts';
import { createTemporalClient, type TemporalTarget } from '../runtime/temporal-connection.ts';
import { reconcileWhenReady } from '../temporal/reconcile.ts';
import { buildApp, type App } from './app.ts';

export interface RunningApi {
  app: App;
  url: string;
  close(): Promise<void>;
}

export async function runApi(options: {
  env: Env;
  db: ManagedDb;
  services: Deps;
  temporal: TemporalTarget;
  temporalUiUrl: string | undefined;
  adminApiKey: string;
  logger: Logger;
  /** Tracing is on (runtime/tracing.ts): request spans, and workflow starts carry their context. */
  traced?: boolean;
}): Promise<RunningApi> {
  const temporal = createTemporalClient(options.temporal, { traced: options.traced ?? false });
  const log = options.logger.child({ component: 'api' });
  const app = await buildApp({
    services: options.services,
    dbPing: () => options.db.ping(),
    temporal,
    adminApiKey: options.adminApiKey,
    taskQueue: options.env.TEMPORAL_TASK_QUEUE,
    namespace: options.temporal.namespace,
    temporalUiUrl: options.temporalUiUrl,
    logger: log,
    portal: true,
    tracing: options.traced ?? false,
  });
  const address = await app.listen({ host: options.env.HOST, port: options.env.PORT });
  void reconcileWhenReady(options.db, temporal.client, options.env.TEMPORAL_TASK_QUEUE, log);
  return {
    app,
    url: address,
    async close() {
      await app.close();
      await temporal.close();
    },
  };
}

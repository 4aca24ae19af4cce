import type { Deps } from '../deps/deps.ts';
import type { Env } from '../config/env.ts';
import { buildApp, type App } from '../api/app.ts';
import type { ManagedDb } from './database.ts';
import type { Logger } from './logger.ts';
import { createTemporalClient, type TemporalTarget } from './temporal-connection.ts';
import { reconcileSchedules } from './schedules.ts';

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
}): Promise<RunningApi> {
  const temporal = createTemporalClient(options.temporal);
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
  });
  const address = await app.listen({ host: options.env.HOST, port: options.env.PORT });
  // Lost or stale schedules are corrected once both sides are reachable; retried in the background.
  void reconcileWhenReady(options, temporal.client, log);
  return {
    app,
    url: address,
    async close() {
      await app.close();
      await temporal.close();
    },
  };
}

async function reconcileWhenReady(options: { db: ManagedDb; env: Env }, client: Parameters<typeof reconcileSchedules>[1], log: Logger): Promise<void> {
  for (let delay = 1_000; ; delay = Math.min(delay * 2, 60_000)) {
    try {
      await options.db.ready;
      const { ensured } = await reconcileSchedules(options.db.handle.db, client, options.env.TEMPORAL_TASK_QUEUE);
      log.info({ schedules: ensured }, 'schedules reconciled with the database');
      return;
    } catch (err) {
      log.warn({ err: (err as Error).message }, `schedule reconciliation failed; retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

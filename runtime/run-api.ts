import type { Env } from '../config/env.ts';
import { buildApp, type App } from '../api/app.ts';
import type { ManagedDb } from './database.ts';
import type { Logger } from './logger.ts';
import { createTemporalClient, type TemporalTarget } from './temporal-connection.ts';

export interface RunningApi {
  app: App;
  url: string;
  close(): Promise<void>;
}

export async function runApi(options: {
  env: Env;
  db: ManagedDb;
  temporal: TemporalTarget;
  temporalUiUrl: string | undefined;
  adminApiKey: string;
  logger: Logger;
}): Promise<RunningApi> {
  const temporal = createTemporalClient(options.temporal);
  const app = await buildApp({
    db: options.db.handle.db,
    dbPing: () => options.db.ping(),
    temporal,
    adminApiKey: options.adminApiKey,
    taskQueue: options.env.TEMPORAL_TASK_QUEUE,
    namespace: options.temporal.namespace,
    temporalUiUrl: options.temporalUiUrl,
    logger: options.logger.child({ component: 'api' }),
  });
  const address = await app.listen({ host: options.env.HOST, port: options.env.PORT });
  return {
    app,
    url: address,
    async close() {
      await app.close();
      await temporal.close();
    },
  };
}

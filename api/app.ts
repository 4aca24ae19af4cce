/**
 * The API as a Fastify instance, built from its dependencies and testable with `inject`
 * (fastify/demo's app/server split). `api/main.ts` and `npm start` add `listen` and signals.
 */
import Fastify, { type FastifyBaseLogger } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from '@fastify/type-provider-zod';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client.ts';
import auth from './plugins/auth.ts';
import { installErrorHandlers } from './plugins/error-handler.ts';
import healthRoutes from './routes/health.ts';
import partnerRoutes from './routes/partners.ts';
import syncRoutes from './routes/sync.ts';
import { createSyncStarter } from './services/sync-starter.ts';

export interface AppDeps {
  db: Db;
  temporal: { client: Client; ping(): Promise<void> };
  dbPing: () => Promise<void>;
  adminApiKey: string;
  taskQueue: string;
  namespace: string;
  temporalUiUrl?: string | undefined;
  /** A pino logger; omitted = silent (tests). */
  logger?: FastifyBaseLogger;
}

/** Where secrets could appear in a log line; pino replaces them. */
export const logRedactPaths = [
  'req.headers.authorization',
  'req.headers.secret',
  'secret',
  '*.secret',
  'body.secret',
  'req.body.secret',
];

export async function buildApp(deps: AppDeps) {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: 256 * 1024,
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'pb-autotask-sync',
        description: 'Keeps Autotask PSA recurring-service contracts in step with Password Boss user counts.',
        version: '1.0.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(auth, { db: deps.db, adminApiKey: deps.adminApiKey });

  await app.register(healthRoutes, {
    checks: { database: deps.dbPing, temporal: () => deps.temporal.ping() },
  });
  await app.register(partnerRoutes, { db: deps.db, onPartnerDeleted: async () => {} });
  await app.register(syncRoutes, {
    db: deps.db,
    namespace: deps.namespace,
    temporalUiUrl: deps.temporalUiUrl,
    assertCanSync: async () => {},
    startSync: createSyncStarter({
      db: deps.db,
      client: () => deps.temporal.client,
      taskQueue: deps.taskQueue,
      namespace: deps.namespace,
      temporalUiUrl: deps.temporalUiUrl,
    }),
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

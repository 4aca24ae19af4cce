/**
 * The API as a Fastify instance, built from its dependencies and testable with `inject`
 * (fastify/demo's app/server split). server.ts adds `listen`; the entries add signals.
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
import type { Deps } from '../deps/deps.ts';
import { deleteSchedule, ensureSchedule, setSchedulePaused } from '../temporal/schedules.ts';
import { createRunWaiter } from '../temporal/await-run.ts';
import { createSyncStarter } from '../temporal/sync-starter.ts';
import auth from './plugins/auth.ts';
import { frameworkErrorHandler, installErrorHandlers } from './plugins/error-handler.ts';
import rateLimits, { type RateLimitSettings } from './plugins/rate-limits.ts';
import metricsPlugin from './plugins/metrics.ts';
import rejectNul from './plugins/reject-nul.ts';
import requestId, { requestIdOf } from './plugins/request-id.ts';
import securityHeaders from './plugins/security-headers.ts';
import { MAX_PATH_PARAM_LENGTH } from './schemas.ts';
import tracingPlugin from './plugins/tracing.ts';
import { serverTimeoutOptions, type ServerTimeouts } from './plugins/server-timeouts.ts';
import autotaskSettingsRoutes from './routes/autotask-settings.ts';
import companyMappingRoutes from './routes/company-mappings.ts';
import healthRoutes from './routes/health.ts';
import lookupRoutes from './routes/lookups.ts';
import notificationRoutes from './routes/notifications.ts';
import partnerRoutes from './routes/partners.ts';
import portalRoutes from './routes/portal.ts';
import productMappingRoutes from './routes/product-mappings.ts';
import scheduleRoutes from './routes/schedule.ts';
import syncApplyRoutes from './routes/sync-apply.ts';
import approvalRoutes from './routes/approval.ts';
import syncRoutes from './routes/sync.ts';
import { createPartnerAutotask } from './services/partner-autotask.ts';

export interface AppDeps {
  /** The same dependencies the activities use: database, secret box, API clients, clock. */
  services: Deps;
  temporal: { client: Client; ping(): Promise<void> };
  dbPing: () => Promise<void>;
  adminApiKey: string;
  taskQueue: string;
  namespace: string;
  temporalUiUrl?: string | undefined;
  /** A pino logger; omitted = silent (tests). */
  logger?: FastifyBaseLogger;
  /** Look-up cache lifetime (ms). */
  lookupTtlMs?: number;
  /** Pages of the company list kept (default 200; 0 reads every page from the database). */
  companyListCacheEntries?: number;
  /** Serve the portal page at `/` (built in memory at start-up). */
  portal?: boolean;
  /** Throttling; unset parts keep `defaultRateLimits` (tests loosen them). */
  rateLimits?: Partial<RateLimitSettings>;
  /** Socket timeouts; unset parts keep `defaultTimeouts`. */
  timeouts?: Partial<ServerTimeouts>;
  /** A server span per request (runtime/tracing.ts is on); off: no hook at all. */
  tracing?: boolean;
}

export async function buildApp(deps: AppDeps) {
  const db = deps.services.db;
  const client = () => deps.temporal.client;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: 256 * 1024,
    genReqId: requestIdOf,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    frameworkErrors: frameworkErrorHandler,
    ...serverTimeoutOptions(deps.timeouts),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'pb-autotask-sync',
        description: 'Keeps Autotask PSA recurring-service contracts in step with Password Boss user counts. Errors are `{ "error": { "code", "message", "details"? } }`.',
        version: '1.0.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(securityHeaders);
  await app.register(rateLimits, { settings: deps.rateLimits });
  await app.register(auth, { db, adminApiKey: deps.adminApiKey });
  await app.register(rejectNul);
  await app.register(requestId);
  await app.register(metricsPlugin);
  if (deps.tracing) await app.register(tracingPlugin);

  if (deps.portal) await app.register(portalRoutes);
  const autotask = createPartnerAutotask(deps.services, deps.lookupTtlMs);
  await app.register(healthRoutes, { checks: { database: deps.dbPing, temporal: () => deps.temporal.ping() } });
  await app.register(partnerRoutes, { db, onPartnerDeleted: (pid) => deleteSchedule(client(), pid) });
  await app.register(autotaskSettingsRoutes, { services: deps.services, autotask, setSchedulePaused: (pid, paused) => setSchedulePaused(client(), pid, paused) });
  await app.register(lookupRoutes, { db, autotask, now: deps.services.now });
  await app.register(productMappingRoutes, { services: deps.services, autotask });
  await app.register(scheduleRoutes, {
    db,
    autotask,
    now: deps.services.now,
    ensureSchedule: (pid, schedule, paused) => ensureSchedule(client(), pid, schedule, paused, deps.taskQueue),
  });
  await app.register(companyMappingRoutes, { services: deps.services, autotask, cacheEntries: deps.companyListCacheEntries });
  await app.register(notificationRoutes, { db, secretBox: deps.services.secretBox, allowPrivateWebhooks: deps.services.notify?.allowPrivateWebhooks ?? false });
  const startSync = createSyncStarter({ db, client, taskQueue: deps.taskQueue, namespace: deps.namespace, temporalUiUrl: deps.temporalUiUrl });
  await app.register(syncRoutes, {
    db,
    namespace: deps.namespace,
    temporalUiUrl: deps.temporalUiUrl,
    startSync,
  });
  await app.register(syncApplyRoutes, { db, startSync, awaitRun: createRunWaiter(client) });
  await app.register(approvalRoutes, { db, startSync, awaitRun: createRunWaiter(client) });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

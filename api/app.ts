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
import type { ActivityDeps } from '../activities/index.ts';
import { findSettings } from '../db/repositories/autotask-settings.ts';
import { deleteSchedule, describeSchedule, ensureSchedule, setSchedulePaused } from '../runtime/schedules.ts';
import { conflict, notSavedYet } from './errors.ts';
import auth from './plugins/auth.ts';
import { installErrorHandlers } from './plugins/error-handler.ts';
import rateLimits, { type RateLimitSettings } from './plugins/rate-limits.ts';
import rejectNul from './plugins/reject-nul.ts';
import securityHeaders from './plugins/security-headers.ts';
import { serverTimeoutOptions, type ServerTimeouts } from './plugins/server-timeouts.ts';
import autotaskSettingsRoutes from './routes/autotask-settings.ts';
import companyMappingRoutes from './routes/company-mappings.ts';
import healthRoutes from './routes/health.ts';
import lookupRoutes from './routes/lookups.ts';
import partnerRoutes from './routes/partners.ts';
import portalRoutes from './routes/portal.ts';
import productMappingRoutes from './routes/product-mappings.ts';
import scheduleRoutes from './routes/schedule.ts';
import syncRoutes from './routes/sync.ts';
import { createPartnerAutotask } from './services/partner-autotask.ts';
import { createSyncStarter } from './services/sync-starter.ts';

export interface AppDeps {
  /** The same dependencies the activities use: database, secret box, API clients, clock. */
  integrations: ActivityDeps;
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
  const db = deps.integrations.db;
  const client = () => deps.temporal.client;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: 256 * 1024,
    genReqId: () => crypto.randomUUID(),
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

  if (deps.portal) await app.register(portalRoutes);
  const autotask = createPartnerAutotask(deps.integrations, deps.lookupTtlMs);
  await app.register(healthRoutes, { checks: { database: deps.dbPing, temporal: () => deps.temporal.ping() } });
  await app.register(partnerRoutes, { db, onPartnerDeleted: (pid) => deleteSchedule(client(), pid) });
  await app.register(autotaskSettingsRoutes, { integrations: deps.integrations, autotask, setSchedulePaused: (pid, paused) => setSchedulePaused(client(), pid, paused) });
  await app.register(lookupRoutes, { db, autotask, now: deps.integrations.now });
  await app.register(productMappingRoutes, { integrations: deps.integrations, autotask });
  await app.register(scheduleRoutes, {
    db,
    autotask,
    now: deps.integrations.now,
    ensureSchedule: (pid, schedule, paused) => ensureSchedule(client(), pid, schedule, paused, deps.taskQueue),
    describeSchedule: (pid) => describeSchedule(client(), pid),
  });
  await app.register(companyMappingRoutes, { integrations: deps.integrations, autotask, cacheEntries: deps.companyListCacheEntries });
  await app.register(syncRoutes, {
    db,
    namespace: deps.namespace,
    temporalUiUrl: deps.temporalUiUrl,
    async assertCanSync(pid, dryRun) {
      const settings = await findSettings(db, pid);
      if (!settings) throw notSavedYet();
      if (!settings.enabled && !dryRun) throw conflict('integration_disabled', 'The Autotask integration is disabled, so nothing may be sent to Autotask; enable it, or ask for a dry run');
    },
    startSync: createSyncStarter({ db, client, taskQueue: deps.taskQueue, namespace: deps.namespace, temporalUiUrl: deps.temporalUiUrl }),
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

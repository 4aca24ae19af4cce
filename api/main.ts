/** `npm run api`: the REST API alone, configured by the environment. */
import { boot, bootLogger } from '../deps/boot.ts';
import { endpointsFromEnv } from '../deps/deps.ts';
import { onShutdown } from '../runtime/shutdown.ts';
import { temporalTarget } from '../runtime/targets.ts';
import { tracingFromEnv } from '../runtime/tracing.ts';
import { runApi } from './server.ts';

const base = bootLogger();
const { env, logger } = base;
// Before anything sends a request, so every outgoing call is seen.
const tracing = tracingFromEnv(env, 'pb-autotask-sync-api');
try {
  const { secrets, db, deps } = await boot(base, { lockDataDir: 'for-pglite', endpoints: endpointsFromEnv, waitForMigrations: false });
  const api = await runApi({ env, db, services: deps, temporal: temporalTarget(env), temporalUiUrl: env.TEMPORAL_UI_URL, adminApiKey: secrets.adminApiKey, logger, traced: Boolean(tracing) });
  logger.info({ url: api.url, docs: `${api.url}/docs` }, 'API listening');
  onShutdown([() => api.close(), async () => db.stop(), () => db.handle.close(), async () => tracing?.shutdown()], (l) => logger.info(l));
} catch (err) {
  logger.fatal((err as Error).message);
  process.exit(1);
}

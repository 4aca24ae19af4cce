/** `npm run api`: the REST API alone, configured by the environment. */
import { loadEnv } from '../config/env.ts';
import { createDeps, endpointsFromEnv } from '../deps/deps.ts';
import { openDatabase } from '../runtime/database.ts';
import { lockDataDir } from '../runtime/data-dir-lock.ts';
import { resolveLocalSecrets } from '../runtime/local-secrets.ts';
import { createLogger } from '../runtime/logger.ts';
import { runApi } from '../runtime/run-api.ts';
import { onShutdown } from '../runtime/shutdown.ts';
import { temporalTarget } from '../runtime/targets.ts';

const env = loadEnv();
const logger = createLogger(env.LOG_LEVEL, 'pb-autotask-sync');
try {
  if (!env.DATABASE_URL) lockDataDir(env.DATA_DIR);
  const secrets = resolveLocalSecrets(env);
  const db = await openDatabase(env, (line) => logger.warn(line));
  const services = createDeps({ db: db.handle.db, env, secrets, endpoints: endpointsFromEnv(env, secrets) });
  const api = await runApi({ env, db, services, temporal: temporalTarget(env), temporalUiUrl: env.TEMPORAL_UI_URL, adminApiKey: secrets.adminApiKey, logger });
  logger.info({ url: api.url, docs: `${api.url}/docs` }, 'API listening');
  onShutdown([() => api.close(), async () => db.stop(), () => db.handle.close()], (l) => logger.info(l));
} catch (err) {
  logger.fatal((err as Error).message);
  process.exit(1);
}

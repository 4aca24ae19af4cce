/** `npm run worker`: the Temporal worker alone, configured by the environment. */
import { loadEnv } from '../config/env.ts';
import { createActivityDeps, endpointsFromEnv } from '../runtime/activity-deps.ts';
import { openDatabase } from '../runtime/database.ts';
import { lockDataDir } from '../runtime/data-dir-lock.ts';
import { resolveLocalSecrets } from '../runtime/local-secrets.ts';
import { createLogger } from '../runtime/logger.ts';
import { runWorker } from '../runtime/run-worker.ts';
import { onShutdown, takeOverSignals } from '../runtime/shutdown.ts';
import { temporalTarget } from '../runtime/targets.ts';
import { keepHealthFile } from './health-file.ts';

const env = loadEnv();
const logger = createLogger(env.LOG_LEVEL, 'pb-autotask-sync');
takeOverSignals();
try {
  if (!env.DATABASE_URL) lockDataDir(env.DATA_DIR);
  const secrets = resolveLocalSecrets(env);
  const db = await openDatabase(env, (line) => logger.warn(line));
  const deps = createActivityDeps({ db: db.handle.db, env, secrets, endpoints: endpointsFromEnv(env, secrets) });
  await db.ready;
  const worker = await runWorker({ env, temporal: temporalTarget(env), deps, logger, workflowBundlePath: env.WORKFLOW_BUNDLE_PATH });
  // The file stays fresh through the drain, so a probe does not kill a worker finishing its writes.
  const stopHealthFile = env.WORKER_HEALTH_FILE ? keepHealthFile(env.WORKER_HEALTH_FILE, worker.worker) : () => {};
  onShutdown([() => worker.shutdown(), async () => stopHealthFile(), () => db.handle.close()], (l) => logger.info(l));
  await worker.done;
} catch (err) {
  logger.fatal((err as Error).message);
  process.exit(1);
}

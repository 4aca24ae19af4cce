/** `npm run worker`: the Temporal worker alone, configured by the environment. */
import { boot, bootLogger } from '../deps/boot.ts';
import { endpointsFromEnv } from '../deps/deps.ts';
import { onShutdown } from '../runtime/shutdown.ts';
import { temporalTarget } from '../runtime/targets.ts';
import { tracingFromEnv } from '../runtime/tracing.ts';
import { keepHealthFile } from './health-file.ts';
import { runWorker } from './run-worker.ts';

const base = bootLogger();
const { env, logger } = base;
const tracing = tracingFromEnv(env, 'pb-autotask-sync-worker');
try {
  const { db, deps } = await boot(base, { lockDataDir: 'for-pglite', endpoints: endpointsFromEnv, waitForMigrations: true });
  const worker = await runWorker({ env, temporal: temporalTarget(env), deps, logger, workflowBundlePath: env.WORKFLOW_BUNDLE_PATH, tracing });
  // The file stays fresh through the drain, so a probe does not kill a worker finishing its writes.
  const stopHealthFile = env.WORKER_HEALTH_FILE ? keepHealthFile(env.WORKER_HEALTH_FILE, worker.worker) : () => {};
  onShutdown([() => worker.shutdown(), async () => stopHealthFile(), () => db.handle.close(), async () => tracing?.shutdown()], (l) => logger.info(l));
  await worker.done;
} catch (err) {
  logger.fatal((err as Error).message);
  process.exit(1);
}

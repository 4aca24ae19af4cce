/**
 * `npm start`: everything on embedded defaults in one process — Temporal dev server (child
 * process), the simulators with demo data, PGlite, the worker and the API — unless an
 * environment variable points at a real one. Ctrl-C or SIGTERM stops everything it started.
 */
import path from 'node:path';
import { loadEnv } from '../config/env.ts';
import { openDatabase } from '../runtime/database.ts';
import { lockDataDir } from '../runtime/data-dir-lock.ts';
import { resolveLocalSecrets } from '../runtime/local-secrets.ts';
import { createLogger } from '../runtime/logger.ts';
import { runApi } from '../runtime/run-api.ts';
import { runWorker } from '../runtime/run-worker.ts';
import { onShutdown, takeOverSignals } from '../runtime/shutdown.ts';
import { temporalTarget } from '../runtime/targets.ts';
import { resolveTemporalCli } from '../runtime/temporal-cli.ts';
import { startTemporalDevServer, type DevServer } from '../runtime/temporal-dev-server.ts';

const started = Date.now();
const env = loadEnv();
const logger = createLogger(env.LOG_LEVEL, 'pb-autotask-sync');
const say = (line: string) => process.stdout.write(`${line}\n`);
takeOverSignals();

const steps: Array<() => Promise<void>> = [];
onShutdown(steps, (l) => say(l));

try {
  lockDataDir(env.DATA_DIR);
  const secrets = resolveLocalSecrets(env);

  let devServer: DevServer | undefined;
  let temporalAddress = env.TEMPORAL_ADDRESS;
  let temporalUiUrl = env.TEMPORAL_UI_URL;
  if (!temporalAddress) {
    const binary = resolveTemporalCli({ cliPath: env.TEMPORAL_CLI_PATH, log: say });
    devServer = await startTemporalDevServer({ binary, dbFilename: path.resolve(env.DATA_DIR, 'temporal.sqlite'), namespace: env.TEMPORAL_NAMESPACE });
    temporalAddress = devServer.address;
    temporalUiUrl ??= devServer.uiUrl;
  }
  const temporal = temporalTarget(env, temporalAddress);

  const db = await openDatabase(env, (line) => logger.warn(line));
  await db.ready;

  const worker = await runWorker({ env, temporal, deps: { db: db.handle.db }, logger });
  const api = await runApi({ env, db, temporal, temporalUiUrl, adminApiKey: secrets.adminApiKey, logger });

  // Close in reverse order of start: stop taking requests, drain the worker, then the servers.
  steps.push(() => api.close(), () => worker.shutdown(), () => db.handle.close());
  if (devServer) steps.push(() => devServer.stop());

  say('');
  say(`pb-autotask-sync is up (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  say(`  API            ${api.url}/v1`);
  say(`  API docs       ${api.url}/docs`);
  say(`  Temporal UI    ${temporalUiUrl ?? '(not configured: set TEMPORAL_UI_URL)'}`);
  say(`  Temporal       ${temporalAddress} (namespace ${env.TEMPORAL_NAMESPACE})`);
  say(`  Database       ${env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${path.resolve(env.DATA_DIR, 'pglite')}`}`);
  if (secrets.generated.includes('ADMIN_API_KEY')) say(`  Admin API key  ${secrets.adminApiKey}  (kept in ${path.resolve(env.DATA_DIR, 'secrets.json')})`);
  say('Press Ctrl-C to stop.');
} catch (err) {
  process.stderr.write(`npm start failed: ${(err as Error).message}\n`);
  for (const step of steps.reverse()) await step().catch(() => {});
  process.exit(1);
}

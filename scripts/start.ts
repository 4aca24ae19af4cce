/**
 * `npm start`: everything on embedded defaults in one process — Temporal dev server (child
 * process), the simulators with demo data, PGlite, the worker and the API — unless an
 * environment variable points at a real one. Ctrl-C or SIGTERM stops everything it started.
 */
import path from 'node:path';
import { loadEnv } from '../config/env.ts';
import { createDeps, type ExternalEndpoints } from '../deps/deps.ts';
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
import { AUTOTASK_GLOBAL_ZONE_LOOKUP_URL } from '../config/env.ts';
import { startSimulators, type RunningSimulators } from '../simulators/start-simulators.ts';
import { seedDemo } from './seed-demo.ts';

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

  // Temporal: the CLI dev server unless TEMPORAL_ADDRESS points at one.
  let devServer: DevServer | undefined;
  let temporalAddress = env.TEMPORAL_ADDRESS;
  let temporalUiUrl = env.TEMPORAL_UI_URL;
  const devServerReady = temporalAddress
    ? Promise.resolve()
    : (async () => {
        const binary = resolveTemporalCli({ cliPath: env.TEMPORAL_CLI_PATH, log: say });
        devServer = await startTemporalDevServer({ binary, dbFilename: path.resolve(env.DATA_DIR, 'temporal.sqlite'), namespace: env.TEMPORAL_NAMESPACE, host: env.HOST });
        temporalAddress = devServer.address;
        temporalUiUrl ??= devServer.uiUrl;
      })();
  devServerReady.catch(() => {}); // awaited below; this only keeps Node from calling it unhandled

  // The simulators stand in for whichever of Autotask and Password Boss is not configured.
  let sims: RunningSimulators | undefined;
  if (!env.AUTOTASK_ZONE_LOOKUP_URL || !env.PASSWORDBOSS_API_URL) {
    sims = await startSimulators({ host: env.HOST, autotaskPort: env.SIM_PORT_AUTOTASK, passwordbossPort: env.SIM_PORT_PASSWORDBOSS, passwordbossToken: secrets.passwordbossToken });
  }
  const endpoints: ExternalEndpoints = {
    zoneLookupUrl: env.AUTOTASK_ZONE_LOOKUP_URL ?? sims?.zoneLookupUrl ?? AUTOTASK_GLOBAL_ZONE_LOOKUP_URL,
    passwordbossUrl: env.PASSWORDBOSS_API_URL ?? sims!.passwordbossUrl,
    passwordbossToken: secrets.passwordbossToken,
  };

  const db = await openDatabase(env, (line) => logger.warn(line));
  await db.ready;
  const deps = createDeps({ db: db.handle.db, env, secrets, endpoints });
  const demo = sims ? await seedDemo(deps, sims.demo, env.DATA_DIR) : undefined;
  await devServerReady;
  const temporal = temporalTarget(env, temporalAddress);

  const worker = await runWorker({ env, temporal, deps, logger });
  const api = await runApi({ env, db, services: deps, temporal, temporalUiUrl, adminApiKey: secrets.adminApiKey, logger });

  // Close in reverse order of start: stop taking requests, drain the worker, then the servers.
  steps.push(() => api.close(), () => worker.shutdown(), () => db.handle.close());
  if (sims) steps.push(() => sims.close());
  if (devServer) steps.push(() => devServer!.stop());

  say('');
  say(`pb-autotask-sync is up (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  say(`  Portal         ${api.url}/`);
  say(`  API            ${api.url}/v1`);
  say(`  API docs       ${api.url}/docs`);
  say(`  Temporal UI    ${temporalUiUrl ?? '(not configured: set TEMPORAL_UI_URL)'}`);
  say(`  Temporal       ${temporalAddress} (namespace ${env.TEMPORAL_NAMESPACE})`);
  say(`  Database       ${env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${path.resolve(env.DATA_DIR, 'pglite')}`}`);
  if (sims) say(`  Simulators     Autotask ${sims.zoneLookupUrl.replace(/\/atservicesrest.*/, '')}, Password Boss ${sims.passwordbossUrl}`);
  if (secrets.generated.includes('ADMIN_API_KEY')) say(`  Admin API key  ${secrets.adminApiKey}  (kept in ${path.resolve(env.DATA_DIR, 'secrets.json')})`);
  if (demo?.apiKey) say(`  Demo partner   '${demo.partnerId}', API key ${demo.apiKey}`);
  if (sims) say(`  Demo Autotask  user ${sims.demo.credentials.username}, secret ${sims.demo.credentials.secret}`);
  say('Press Ctrl-C to stop.');
} catch (err) {
  process.stderr.write(`npm start failed: ${(err as Error).message}\n`);
  for (const step of steps.reverse()) await step().catch(() => {});
  process.exit(1);
}

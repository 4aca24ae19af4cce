/**
 * `npm start`: everything on embedded defaults in one process — Temporal dev server (child
 * process), the simulators with demo data, PGlite, the worker and the API — unless an
 * environment variable points at a real one. Ctrl-C or SIGTERM stops everything it started.
 */
import path from 'node:path';
import { runApi } from '../api/server.ts';
import { AUTOTASK_GLOBAL_ZONE_LOOKUP_URL, type Env } from '../config/env.ts';
import { boot, bootLogger } from '../deps/boot.ts';
import type { ExternalEndpoints } from '../deps/deps.ts';
import type { LocalSecrets } from '../runtime/local-secrets.ts';
import { onShutdown } from '../runtime/shutdown.ts';
import { temporalTarget } from '../runtime/targets.ts';
import { resolveTemporalCli } from '../runtime/temporal-cli.ts';
import { tracingFromEnv } from '../runtime/tracing.ts';
import { startTemporalDevServer, type DevServer } from '../runtime/temporal-dev-server.ts';
import { startSimulators, type RunningSimulators } from '../simulators/start-simulators.ts';
import { runWorker } from '../worker/run-worker.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.ts';
import { seedDemo } from './seed-demo.ts';

const started = Date.now();
// Human-readable log lines in a terminal; JSON when piped or collected.
const base = bootLogger({ pretty: process.stdout.isTTY === true });
const { env, logger } = base;
const say = (line: string) => process.stdout.write(`${line}\n`);
const tracing = tracingFromEnv(env, 'pb-autotask-sync');

const steps: Array<() => Promise<void>> = [];
onShutdown(steps, (l) => say(l));

// Temporal: the CLI dev server unless TEMPORAL_ADDRESS points at one.
let devServer: DevServer | undefined;
let temporalAddress = env.TEMPORAL_ADDRESS;
let temporalUiUrl = env.TEMPORAL_UI_URL;
let devServerReady = Promise.resolve();
// The simulators stand in for whichever of Autotask and Password Boss is not configured.
let sims: RunningSimulators | undefined;

/** Runs once the data folder is locked: the dev server starts alongside, the simulators before the database. */
async function embeddedEndpoints(env: Env, secrets: LocalSecrets): Promise<ExternalEndpoints> {
  if (!temporalAddress) {
    devServerReady = (async () => {
      const binary = resolveTemporalCli({ cliPath: env.TEMPORAL_CLI_PATH, log: say });
      devServer = await startTemporalDevServer({ binary, searchAttributes: SEARCH_ATTRIBUTES, dbFilename: path.resolve(env.DATA_DIR, 'temporal.sqlite'), namespace: env.TEMPORAL_NAMESPACE, host: env.HOST });
      temporalAddress = devServer.address;
      temporalUiUrl ??= devServer.uiUrl;
    })();
    devServerReady.catch(() => {}); // awaited below; this only keeps Node from calling it unhandled
  }
  if (!env.AUTOTASK_ZONE_LOOKUP_URL || !env.PASSWORDBOSS_API_URL) {
    sims = await startSimulators({ host: env.HOST, autotaskPort: env.SIM_PORT_AUTOTASK, passwordbossPort: env.SIM_PORT_PASSWORDBOSS, passwordbossToken: secrets.passwordbossToken });
  }
  return {
    zoneLookupUrl: env.AUTOTASK_ZONE_LOOKUP_URL ?? sims?.zoneLookupUrl ?? AUTOTASK_GLOBAL_ZONE_LOOKUP_URL,
    passwordbossUrl: env.PASSWORDBOSS_API_URL ?? sims!.passwordbossUrl,
    passwordbossToken: secrets.passwordbossToken,
  };
}

try {
  const { secrets, db, deps } = await boot(base, { lockDataDir: 'always', endpoints: embeddedEndpoints, waitForMigrations: true });
  const demo = sims ? await seedDemo(deps, sims.demo, env.DATA_DIR) : undefined;
  await devServerReady;
  const temporal = temporalTarget(env, temporalAddress);

  const worker = await runWorker({ env, temporal, deps, logger, tracing });
  const api = await runApi({ env, db, services: deps, temporal, temporalUiUrl, adminApiKey: secrets.adminApiKey, logger, traced: Boolean(tracing) });

  // Close in reverse order of start: stop taking requests, drain the worker, then the servers.
  steps.push(() => api.close(), () => worker.shutdown(), () => db.handle.close());
  const [simulators, server] = [sims, devServer];
  if (simulators) steps.push(() => simulators.close());
  if (server) steps.push(() => server.stop());
  if (tracing) steps.push(() => tracing.shutdown());

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

/**
 * `npm run temporal:server -- --database-url postgres://USER:PASSWORD@HOST:PORT/postgres
 * [--services all|split] [--port 7233] [--history-shards 4] [--namespace default]
 * [--database temporal] [--visibility-database temporal_visibility] [--log-level warn]`
 *
 * Builds the pinned production server on first use, migrates its databases, starts it, prints one
 * line with its address once it is ready, and runs until SIGINT or SIGTERM. The namespace gets the
 * search attributes the workflows set (workflows/search-attributes.ts).
 * `npm run temporal:server -- --install-only` only builds it and prints the binaries' folder.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveTemporalServer } from '../runtime/temporal-server-install.ts';
import { startTemporalServer, temporalServerOptionsSchema, type TemporalServer } from '../runtime/temporal-server.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      database: { type: 'string' },
      'visibility-database': { type: 'string' },
      services: { type: 'string' },
      port: { type: 'string' },
      'history-shards': { type: 'string' },
      namespace: { type: 'string' },
      'log-level': { type: 'string' },
      'install-only': { type: 'boolean' },
    },
    strict: true,
  });
  if (values['install-only']) {
    process.stdout.write(`${path.dirname(resolveTemporalServer(log).server)}\n`);
    return;
  }
  if (!values['database-url']) throw new Error('--database-url is required: the PostgreSQL the server keeps its databases on, e.g. postgres://postgres@127.0.0.1:5432/postgres');
  const parsed = temporalServerOptionsSchema.safeParse({
    databaseUrl: values['database-url'],
    database: values.database,
    visibilityDatabase: values['visibility-database'],
    services: values.services,
    port: values.port === undefined ? undefined : Number(values.port),
    historyShards: values['history-shards'] === undefined ? undefined : Number(values['history-shards']),
    namespace: values.namespace,
    searchAttributes: SEARCH_ATTRIBUTES,
    logLevel: values['log-level'],
  });
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`).join('\n'));
  }
  // Set once the server is up; the signal handler below runs before that too.
  const running: { server?: TemporalServer } = {};
  let stopping = false;
  let signalledAt = 0;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    void running.server!.stop().then(() => process.exit(code));
  };
  const onSignal = () => {
    // While starting there is nothing to stop gracefully: exit, and the exit hook of
    // startTemporalServer SIGKILLs what it spawned. npm relays the terminal's Ctrl-C, so a signal
    // within 2 s of another is the same request; a later one while stopping means "now".
    if (!running.server || (signalledAt && Date.now() - signalledAt > 2_000)) process.exit(130);
    signalledAt ||= Date.now();
    stop(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const started = Date.now();
  const server = await startTemporalServer(parsed.data, log);
  running.server = server;
  const topology = parsed.data.services === 'all' ? 'all services in one process' : 'one process per service';
  process.stdout.write(`Temporal server ${server.version} on PostgreSQL ready at ${server.address} (namespace ${server.namespace}, ${topology}, ${Date.now() - started} ms)\n`);

  for (const child of server.processes) {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      log(`Temporal server process ${child.pid} exited unexpectedly (${code ?? signal}); stopping the others`);
      stop(1);
    });
  }
}

main().catch((err: unknown) => {
  log((err as Error).message);
  process.exit(1);
});

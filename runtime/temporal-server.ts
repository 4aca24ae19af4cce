/**
 * Runs Temporal's production server (the pinned version, built by temporal-server-install.ts) on
 * a PostgreSQL the caller names: migrates the schema, writes a loopback-only config with chosen
 * ports, starts all four services in one process or one process per service, waits until the
 * frontend answers, and prepares the namespace and search attributes. The counterpart of
 * temporal-dev-server.ts for the topology users deploy (docker-compose.yml). The servers die with
 * the Node process that started them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { z } from 'zod';
import { freePort, waitForPort } from './free-port.ts';
import { projectRoot } from './temporal-cli.ts';
import { allPorts, renderServerConfig, TEMPORAL_SERVICES, type PostgresTarget, type ServerPorts, type TemporalService } from './temporal-server-config.ts';
import { resolveTemporalServer } from './temporal-server-install.ts';
import { prepareNamespace, searchAttributeTypeNames } from './temporal-server-namespace.ts';
import { migrateTemporalSchema } from './temporal-server-schema.ts';
import { TEMPORAL_SERVER_VERSION } from './temporal-server-version.ts';

export const temporalServerOptionsSchema = z.object({
  /** Where the server's databases live; its database name is only the one connected to first. */
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL'),
  database: z.string().regex(/^\w+$/).default('temporal'),
  visibilityDatabase: z.string().regex(/^\w+$/).default('temporal_visibility'),
  /** `all`: the four services in one process (the default). `split`: one process each, as in a cluster. */
  services: z.enum(['all', 'split']).default('all'),
  /** The frontend's gRPC port: 7233 when free; 0 for any free port. */
  port: z.number().int().min(0).max(65535).default(7233),
  /**
   * Fixed by the first start on a database (4, as in compose: the server image's default for
   * NUM_HISTORY_SHARDS). Later starts with another count keep the stored one (1.29.1 logs a
   * warning and ignores the config).
   */
  historyShards: z.number().int().min(1).max(16_384).default(4),
  namespace: z.string().min(1).default('default'),
  /** Custom search attributes to create, name → type (workflows/search-attributes.ts). */
  searchAttributes: z.record(z.string().regex(/^\w+$/), z.enum(searchAttributeTypeNames)),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('warn'),
  /**
   * The dynamic config docker-compose.yml mounts into its server (eager activities, the stuck-run
   * flag), so CI and the benchmarks run the settings users deploy.
   */
  dynamicConfigPath: z.string().default(path.join(projectRoot, 'deploy', 'temporal', 'dynamicconfig.yaml')),
});
export type TemporalServerOptions = z.input<typeof temporalServerOptionsSchema>;

export interface TemporalServer {
  address: string;
  namespace: string;
  version: string;
  /** One process (`all`) or four (`split`), for CPU and memory readings. */
  processes: ChildProcess[];
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 180_000;

export async function startTemporalServer(input: TemporalServerOptions, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<TemporalServer> {
  const options = temporalServerOptionsSchema.parse(input);
  if (!existsSync(options.dynamicConfigPath)) throw new Error(`Temporal server: dynamic config ${options.dynamicConfigPath} not found; it ships with the project (deploy/temporal/dynamicconfig.yaml), or pass dynamicConfigPath`);
  const postgres = postgresTarget(options.databaseUrl, options.database, options.visibilityDatabase);
  const binaries = resolveTemporalServer(log);
  await migrateTemporalSchema(binaries.sqlTool, postgres);
  // Ports are checked free, then bound by the server a moment later; another process may take
  // one in between. The server then exits at once naming the port: retry on other free ports.
  for (let attempt = 1; ; attempt++) {
    const ports = await choosePorts(attempt === 1 ? options.port : 0);
    try {
      return await launch(binaries.server, postgres, ports, options);
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt >= 3) throw err;
    }
  }
}

function postgresTarget(databaseUrl: string, database: string, visibilityDatabase: string): PostgresTarget {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
    database,
    visibilityDatabase,
  };
}

async function choosePorts(frontend: number): Promise<ServerPorts> {
  const taken = new Set<number>();
  const pick = async (preferred = 0) => {
    for (;;) {
      const port = await freePort('127.0.0.1', preferred);
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
      preferred = 0;
    }
  };
  const services = {} as Record<TemporalService, { grpc: number; membership: number }>;
  for (const name of TEMPORAL_SERVICES) services[name] = { grpc: await pick(name === 'frontend' ? frontend : 0), membership: await pick() };
  return { services, frontendHttp: await pick() };
}

class PortTakenError extends Error {}

async function launch(binary: string, postgres: PostgresTarget, ports: ServerPorts, options: z.output<typeof temporalServerOptionsSchema>): Promise<TemporalServer> {
  const root = mkdtempSync(path.join(tmpdir(), 'pbas-temporal-server-'));
  const configDir = path.join(root, 'config');
  mkdirSync(configDir);
  const configPath = path.join(configDir, 'server.yaml');
  // The config holds the database password: readable by this user only.
  writeFileSync(configPath, renderServerConfig({ postgres, ports, historyShards: options.historyShards, logLevel: options.logLevel, dynamicConfigPath: path.resolve(options.dynamicConfigPath) }), { mode: 0o600 });
  chmodSync(configPath, 0o600);

  const groups: Array<TemporalService[]> = options.services === 'all' ? [[...TEMPORAL_SERVICES]] : TEMPORAL_SERVICES.map((s) => [s]);
  let output = '';
  const processes = groups.map((services) => {
    const args = ['--root', root, '--config', 'config', '--env', 'server', '--allow-no-auth', 'start', ...services.flatMap((s) => ['--service', s])];
    const child = spawn(binary, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    return child;
  });

  const alive = () => processes.filter((p) => p.exitCode === null && p.signalCode === null);
  const cleanUp = () => {
    for (const p of alive()) p.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);
  const exits = processes.map((p) => new Promise<void>((resolve) => p.once('exit', () => resolve())));

  const earlyExit = () => {
    const reason = output.trim().slice(-2000);
    return /address already in use/i.test(reason)
      ? new PortTakenError(`a port of ${allPorts(ports).join(', ')} was taken: ${reason}`)
      : new Error(`Temporal server ${TEMPORAL_SERVER_VERSION} exited while starting. Its last output:\n${reason}`);
  };
  const failed = Promise.race(exits).then(() => {
    throw earlyExit();
  });
  failed.catch(() => {});

  const address = `127.0.0.1:${ports.services.frontend.grpc}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let connection: Connection | undefined;
  try {
    await Promise.race([waitForPort('127.0.0.1', ports.services.frontend.grpc, STARTUP_TIMEOUT_MS), failed]);
    connection = await Promise.race([Connection.connect({ address, connectTimeout: 10_000 }), failed]);
    await Promise.race([waitServing(connection, deadline), failed]);
    await Promise.race([prepareNamespace(connection, options.namespace, options.searchAttributes, deadline), failed]);
    // What answered may be another process's server on a port ours failed to bind.
    if (alive().length !== processes.length) throw earlyExit();
  } catch (err) {
    process.removeListener('exit', cleanUp);
    cleanUp();
    throw err;
  } finally {
    await connection?.close();
  }

  return {
    address,
    namespace: options.namespace,
    version: TEMPORAL_SERVER_VERSION,
    processes,
    async stop() {
      // SIGTERM lets each service leave the membership ring and release its shards, so the next
      // start on the same databases does not wait for them to time out. The exit hook stays
      // until the end: a process that exits meanwhile still kills the rest and removes the config.
      for (const p of alive()) p.kill('SIGTERM');
      const timer = setTimeout(() => alive().forEach((p) => p.kill('SIGKILL')), 20_000);
      await Promise.all(exits);
      clearTimeout(timer);
      process.removeListener('exit', cleanUp);
      cleanUp();
    },
  };
}

/** The frontend's gRPC health check turns SERVING once it has joined the membership ring. */
async function waitServing(connection: Connection, deadline: number): Promise<void> {
  const SERVING = 1;
  for (;;) {
    let reason: string;
    try {
      const { status } = await connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
      if (status === SERVING) return;
      reason = `health status ${status}`;
    } catch (err) {
      reason = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`Temporal server at ${connection.options.address} did not become healthy: ${reason}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The production server's static and dynamic config, as text. Both are YAML files to the server;
 * JSON is YAML, so they are written with JSON.stringify and need no YAML library at run time.
 * Based on the server's own config/development-postgres12.yaml, with every port chosen by the
 * caller, every listener on loopback, and metrics, pprof and archival off.
 */
export const TEMPORAL_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

export interface ServicePorts {
  grpc: number;
  /** Ringpop: how the services find each other and split the history shards. */
  membership: number;
}

export interface ServerPorts {
  services: Record<TemporalService, ServicePorts>;
  /** The frontend's HTTP API (Nexus callbacks, the HTTP flavour of the gRPC API). */
  frontendHttp: number;
}

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Executions, history, task queues: the `temporal` database of the compose file. */
  database: string;
  visibilityDatabase: string;
}

export interface ServerConfigInput {
  postgres: PostgresTarget;
  ports: ServerPorts;
  /** Fixed by the first start on a database: later, another count is ignored with a warning. */
  historyShards: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Absolute path of the file renderDynamicConfig's text is written to. */
  dynamicConfigPath: string;
}

/** Every port the config binds, so a caller can check they are distinct and free. */
export function allPorts(ports: ServerPorts): number[] {
  return [...TEMPORAL_SERVICES.flatMap((s) => [ports.services[s].grpc, ports.services[s].membership]), ports.frontendHttp];
}

export function renderServerConfig(input: ServerConfigInput): string {
  const { postgres, ports } = input;
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (name: TemporalService) => ({
    rpc: {
      grpcPort: ports.services[name].grpc,
      membershipPort: ports.services[name].membership,
      bindOnLocalHost: true,
      ...(name === 'frontend' ? { httpPort: ports.frontendHttp } : {}),
    },
  });
  const config = {
    log: { stdout: true, level: input.logLevel, format: 'json' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: input.historyShards,
      datastores: {
        'postgres-default': datastore(postgres.database, 20),
        'postgres-visibility': datastore(postgres.visibilityDatabase, 10),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: Object.fromEntries(TEMPORAL_SERVICES.map((name) => [name, service(name)])),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.services.frontend.grpc}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: input.dynamicConfigPath, pollInterval: '10s' },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Dynamic config the project relies on; each value is a list of (value, constraints) pairs. */
export const DYNAMIC_CONFIG = {
  // Eager activity dispatch, as on the dev server (runtime/temporal-dev-server.ts): the worker
  // gets a child's Autotask activity in the reply to the workflow task that scheduled it,
  // instead of through another poll. Off by default in the server.
  'system.enableActivityEagerExecution': true,
  // Flags a run whose workflow task failed twice in a row (a nondeterminism error after a
  // deploy) with the search attribute TemporalReportedProblems, which docs/operations.md queries.
  // The key exists from server 1.30 on; 1.29 logs "unregistered key" once and ignores it, so the
  // flag starts working with the version bump and nobody has to remember it.
  'system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute': 2,
} as const;

export function renderDynamicConfig(): string {
  const entries = Object.entries(DYNAMIC_CONFIG).map(([key, value]) => [key, [{ value, constraints: {} }]]);
  return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
}

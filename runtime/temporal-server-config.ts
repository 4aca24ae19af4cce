/**
 * The production server's static config, as text. The server reads YAML; JSON is YAML, so it is
 * written with JSON.stringify and needs no YAML library at run time. Based on the server's own
 * config/development-postgres12.yaml, with every port chosen by the caller, every listener on
 * loopback, and metrics, pprof and archival off. The dynamic config is compose's file.
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
  /** Absolute path of the dynamic config file (deploy/temporal/dynamicconfig.yaml, as compose mounts). */
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

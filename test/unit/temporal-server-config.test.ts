/** The production server's config as the server will read it (YAML parses the JSON we write). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allPorts, renderServerConfig, TEMPORAL_SERVICES, type ServerConfigInput } from '../../runtime/temporal-server-config.ts';
import { temporalServerOptionsSchema } from '../../runtime/temporal-server.ts';

const input: ServerConfigInput = {
  postgres: { host: '127.0.0.1', port: 5433, user: 'temporal', password: 'p"w:1', database: 'temporal', visibilityDatabase: 'temporal_visibility' },
  ports: {
    services: { frontend: { grpc: 7233, membership: 6933 }, history: { grpc: 7234, membership: 6934 }, matching: { grpc: 7235, membership: 6935 }, worker: { grpc: 7239, membership: 6939 } },
    frontendHttp: 7243,
  },
  historyShards: 8,
  logLevel: 'warn',
  dynamicConfigPath: '/tmp/x/dynamic.yaml',
};

interface Rpc { grpcPort: number; membershipPort: number; bindOnLocalHost: boolean; httpPort?: number }
interface Sql { pluginName: string; databaseName: string; connectAddr: string; user: string; password: string }

describe('the Temporal server config', () => {
  const config = parse(renderServerConfig(input)) as {
    persistence: { numHistoryShards: number; datastores: Record<string, { sql: Sql }> };
    services: Record<string, { rpc: Rpc }>;
    global: { membership: { broadcastAddress: string } };
    clusterMetadata: { clusterInformation: { active: { rpcAddress: string } } };
    dynamicConfigClient: { filepath: string };
  };

  it('binds every service on loopback, on the ports given', () => {
    expect(Object.keys(config.services).sort()).toEqual([...TEMPORAL_SERVICES].sort());
    for (const name of TEMPORAL_SERVICES) {
      expect(config.services[name]!.rpc).toMatchObject({ grpcPort: input.ports.services[name].grpc, membershipPort: input.ports.services[name].membership, bindOnLocalHost: true });
    }
    expect(config.services.frontend!.rpc.httpPort).toBe(7243);
    expect(config.global.membership.broadcastAddress).toBe('127.0.0.1');
    expect(config.clusterMetadata.clusterInformation.active.rpcAddress).toBe('127.0.0.1:7233');
    expect(new Set(allPorts(input.ports)).size).toBe(9);
  });

  it('keeps both stores on the given PostgreSQL, the password intact', () => {
    const stores = Object.values(config.persistence.datastores).map((d) => d.sql);
    expect(stores.map((s) => s.databaseName).sort()).toEqual(['temporal', 'temporal_visibility']);
    for (const s of stores) expect(s).toMatchObject({ pluginName: 'postgres12', connectAddr: '127.0.0.1:5433', user: 'temporal', password: 'p"w:1' });
    expect(config.persistence.numHistoryShards).toBe(8);
    expect(config.dynamicConfigClient.filepath).toBe('/tmp/x/dynamic.yaml');
  });

  it('uses the dynamic config docker-compose.yml mounts into its server', () => {
    const options = temporalServerOptionsSchema.parse({ databaseUrl: 'postgres://postgres@127.0.0.1/postgres', searchAttributes: { PartnerId: 'Keyword' } });
    const composeFile = fileURLToPath(new URL('../../deploy/temporal/dynamicconfig.yaml', import.meta.url));
    expect(options.dynamicConfigPath).toBe(composeFile);
    expect(existsSync(composeFile)).toBe(true);
  });
});

/**
 * The Temporal server a sync benchmark size runs against, fresh for each size: the dev server as
 * `npm start` runs it (SQLite file, WAL), or the production server on the benchmark's PostgreSQL
 * (`--temporal=server`: the pinned version, all services in one process, its own databases per
 * size), the topology docker-compose.yml deploys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { resolveTemporalCli } from '../runtime/temporal-cli.ts';
import { startTemporalDevServer } from '../runtime/temporal-dev-server.ts';
import { startTemporalServer } from '../runtime/temporal-server.ts';
import { TEMPORAL_SERVER_VERSION } from '../runtime/temporal-server-version.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.ts';

export type TemporalKind = 'dev' | 'server';

export interface BenchTemporal {
  address: string;
  pids: number[];
  /** The dev server's Prometheus metrics, when started with a metrics port. */
  metricsUrl?: string;
  stop(): Promise<void>;
}

export function describeTemporal(kind: TemporalKind, historyShards: number): string {
  return kind === 'dev' ? 'Temporal dev server (SQLite file, WAL)' : `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL (all services in one process, ${historyShards} history shards)`;
}

/** historyShards: the production server's only (the dev server has one shard). */
export async function startBenchTemporal(kind: TemporalKind, postgresUrl: string, historyShards: number, devMetricsPort?: number): Promise<BenchTemporal> {
  if (kind === 'dev') {
    const dir = mkdtempSync(path.join(tmpdir(), 'pbas-bench-temporal-'));
    try {
      const server = await startTemporalDevServer({ binary: resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH }), searchAttributes: SEARCH_ATTRIBUTES, ui: false, port: 0, dbFilename: path.join(dir, 'temporal.sqlite'), ...(devMetricsPort ? { metricsPort: devMetricsPort } : {}) });
      return {
        address: server.address,
        pids: [server.process.pid!],
        ...(devMetricsPort ? { metricsUrl: `http://127.0.0.1:${devMetricsPort}/metrics` } : {}),
        async stop() {
          await server.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }
  const suffix = randomBytes(3).toString('hex');
  const [database, visibilityDatabase] = [`temporal_${suffix}`, `temporal_visibility_${suffix}`];
  const server = await startTemporalServer({ databaseUrl: postgresUrl, database, visibilityDatabase, port: 0, historyShards, searchAttributes: SEARCH_ATTRIBUTES });
  return {
    address: server.address,
    pids: server.processes.map((p) => p.pid!),
    async stop() {
      await server.stop();
      // The next size starts on empty databases, as the dev server starts on an empty file.
      const admin = postgres(postgresUrl, { max: 1, onnotice: () => {} });
      try {
        for (const db of [database, visibilityDatabase]) await admin.unsafe(`drop database if exists ${db} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

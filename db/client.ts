/**
 * One `createDb` for both drivers: a postgres:// URL goes through postgres.js; no URL means
 * embedded PGlite stored under the data directory (one process owns it).
 */
import { ensurePrivateDir } from './private-dir.ts';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { schema } from './schema.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DbHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Applies the committed migrations under an advisory lock. */
  migrate(): Promise<void>;
  /** Resolves when a trivial query succeeds; rejects with the driver's reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DbOptions {
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` keeps it in memory (tests). */
  dataDir: string;
  /** postgres.js pool size. */
  maxConnections?: number;
}

const migrationsFolder = path.join(path.dirname(new URL(import.meta.url).pathname), 'migrations');
/** An arbitrary constant that names "pb-autotask-sync migrations" for pg_advisory_lock. */
const MIGRATION_LOCK_KEY = 7_244_150_511;

export async function createDb(options: DbOptions): Promise<DbHandle> {
  if (options.databaseUrl) return createPostgresDb(options.databaseUrl, options.maxConnections ?? 10);
  return createPgliteDb(options.dataDir);
}

/**
 * postgres.js fetches the server's array types on every new connection and drops that query's
 * promise (porsager/postgres#1192, #1205, #1223): when the database goes away while a connection
 * opens, as in a restart, the rejection is unhandled and Node ends the process. The service
 * stores no array columns (drizzle parses arrays itself when asked), so it does without the fetch.
 */
const clientOptions = (max: number) => ({ max, onnotice: () => {}, connect_timeout: 5, fetch_types: false });

async function createPostgresDb(url: string, max: number): Promise<DbHandle> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const client = postgres(url, clientOptions(max));
  const db = drizzle({ client, schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    async migrate() {
      // A dedicated single connection holds the lock for the whole migration (drizzle#874).
      const lockClient = postgres(url, clientOptions(1));
      try {
        await lockClient`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
        await migrate(drizzle({ client: lockClient }), { migrationsFolder });
        await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
      } finally {
        await lockClient.end({ timeout: 5 });
      }
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

async function createPgliteDb(dataDir: string): Promise<DbHandle> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  let location = dataDir;
  if (!dataDir.startsWith('memory://')) {
    ensurePrivateDir(dataDir);
    location = path.resolve(dataDir, 'pglite');
    ensurePrivateDir(location);
  }
  const client = new PGlite(location);
  await client.waitReady;
  const db = drizzle({ client, schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    async migrate() {
      // PGlite is single-connection; the lock still guards against a second in-process caller.
      await client.query(`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
      try {
        await migrate(drizzle({ client }), { migrationsFolder });
      } finally {
        await client.query(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
      }
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      await client.close();
    },
  };
}

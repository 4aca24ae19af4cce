/**
 * What every process does before its own work, always in this order: read the environment, make
 * the logger, lock the data folder, resolve the local secrets, open the database, build the
 * dependencies. The entries (api/main.ts, worker/main.ts, scripts/start.ts) compose the rest.
 * Split in two so an entry has its logger before anything can fail.
 */
import { loadEnv, type Env } from '../config/env.ts';
import { lockDataDir } from '../runtime/data-dir-lock.ts';
import { openDatabase, type ManagedDb } from '../runtime/database.ts';
import { resolveLocalSecrets, type LocalSecrets } from '../runtime/local-secrets.ts';
import { createLogger, type Logger } from '../runtime/logger.ts';
import { createDeps, type Deps, type ExternalEndpoints } from './deps.ts';

export interface ProcessBase {
  env: Env;
  logger: Logger;
}

export interface Booted extends ProcessBase {
  secrets: LocalSecrets;
  db: ManagedDb;
  deps: Deps;
}

export interface BootOptions {
  /**
   * `always` for `npm start` (its dev server keeps a SQLite file there too); otherwise only when
   * the database is embedded PGlite, which one process may open at a time.
   */
  lockDataDir: 'always' | 'for-pglite';
  /** Where Autotask and Password Boss are; `npm start` starts simulators for what is unset. */
  endpoints: (env: Env, secrets: LocalSecrets) => ExternalEndpoints | Promise<ExternalEndpoints>;
  /**
   * Return only once migrations are applied: the worker and the demo seed need the tables, while
   * the API starts at once and answers /readyz with 503 until then.
   */
  waitForMigrations: boolean;
}

/**
 * The environment (a bad value exits with one line naming it) and the process's logger; `pretty`
 * for human-readable lines (npm start in a terminal), JSON otherwise.
 */
export function bootLogger(options: { pretty?: boolean } = {}): ProcessBase {
  const env = loadEnv();
  return { env, logger: createLogger(env.LOG_LEVEL, 'pb-autotask-sync', { pretty: options.pretty ?? false }) };
}

export async function boot(base: ProcessBase, options: BootOptions): Promise<Booted> {
  const { env, logger } = base;
  if (options.lockDataDir === 'always' || !env.DATABASE_URL) lockDataDir(env.DATA_DIR);
  const secrets = resolveLocalSecrets(env);
  const endpoints = await options.endpoints(env, secrets);
  const db = await openDatabase(env, (line) => logger.warn(line));
  if (options.waitForMigrations) await db.ready;
  const deps = createDeps({ db: db.handle.db, env, secrets, endpoints, sharedDatabase: db.handle.kind === 'postgres' });
  return { ...base, secrets, db, deps };
}

/**
 * `npm run db:migrate`: applies the committed migrations to DATABASE_URL and exits — the
 * Kubernetes migrations Job runs this before a rollout. The API and the worker still migrate at
 * start (runtime/database.ts); both take the same advisory lock, so when this ran first their
 * step finds nothing to do, and a rollout without the Job stays correct.
 */
import { loadEnv } from '../config/env.ts';
import { createDb } from '../db/client.ts';

const env = loadEnv();
if (!env.DATABASE_URL) {
  process.stderr.write('DATABASE_URL is not set: migrations run against PostgreSQL (PGlite migrates itself at start)\n');
  process.exit(78); // EX_CONFIG, as loadEnv
}
const started = Date.now();
const db = await createDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, maxConnections: 1 });
try {
  await db.migrate();
  process.stdout.write(`migrations applied in ${Date.now() - started} ms\n`);
} catch (err) {
  process.stderr.write(`migrations failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await db.close();
}

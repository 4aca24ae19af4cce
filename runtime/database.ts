/**
 * Opens the database and applies migrations, retrying while it is unreachable instead of
 * crashing, so `/readyz` can answer 503 with the reason in the meantime.
 */
import { createDb, type DbHandle } from '../db/client.ts';
import type { Env } from '../config/env.ts';

export interface ManagedDb {
  handle: DbHandle;
  /** Resolves once migrations are applied. */
  ready: Promise<void>;
  /** For /readyz: rejects until migrated, or when the database does not answer. */
  ping(): Promise<void>;
  stop(): void;
}

export async function openDatabase(env: Env, log: (line: string) => void): Promise<ManagedDb> {
  const handle = await createDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
  let migrated = false;
  // Kept whole (not just its message) so /readyz can name its code without its text.
  let lastFailure: Error = Object.assign(new Error('migrations have not run yet'), { code: 'NOT_MIGRATED' });
  let stopped = false;
  const ready = (async () => {
    let delay = 500;
    for (;;) {
      try {
        await handle.migrate();
        migrated = true;
        return;
      } catch (err) {
        lastFailure = err instanceof Error ? err : new Error(String(err));
        if (stopped) throw err;
        log(`database is not ready (${lastFailure.message.split('\n')[0]}); retrying in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 15_000);
      }
    }
  })();
  ready.catch(() => {});
  return {
    handle,
    ready,
    async ping() {
      if (!migrated) throw lastFailure;
      await handle.ping();
    },
    stop() {
      stopped = true;
    },
  };
}

/** A fresh, migrated database per test file on either driver. */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createDb, type DbHandle } from '../../db/client.ts';

export type Driver = 'pglite' | 'postgres';
export const drivers: Driver[] = ['pglite', 'postgres'];

/** `postgresUrl`: a server of the test's own (one it restarts) instead of the shared one. */
export async function createTestDb(driver: Driver, postgresUrl?: string): Promise<DbHandle & { url?: string }> {
  if (driver === 'pglite') {
    const handle = await createDb({ dataDir: 'memory://' });
    await handle.migrate();
    return handle;
  }
  const base = postgresUrl ?? inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = base.replace(/\/[^/]*$/, `/${name}`);
  const handle = await createDb({ databaseUrl: url, dataDir: 'unused', maxConnections: 20 });
  await handle.migrate();
  return { ...handle, url };
}

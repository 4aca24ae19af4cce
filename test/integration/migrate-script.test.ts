/**
 * `npm run db:migrate`, the Kubernetes migrations Job's command, as a process: it migrates an
 * empty PostgreSQL database, is a no-op the second time, and refuses to run without a URL.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const name = `t_${randomBytes(6).toString('hex')}`;
const url = inject('postgresUrl').replace(/\/[^/]*$/, `/${name}`);
const migrate = (env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });

afterAll(async () => {
  const admin = postgres(inject('postgresUrl'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name}`);
  await admin.end();
});

describe('npm run db:migrate', () => {
  it('migrates an empty database, then finds nothing to do', async () => {
    const admin = postgres(inject('postgresUrl'), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    for (let i = 0; i < 2; i++) {
      const run = migrate({ DATABASE_URL: url });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^migrations applied in \d+ ms$/m);
    }
    const db = postgres(url, { max: 1, onnotice: () => {} });
    const tables = await db`select table_name from information_schema.tables where table_schema = 'public'`;
    await db.end();
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['partners', 'sync_runs', 'unit_writes']));
  });

  it('stops with a clear line when DATABASE_URL is not set', () => {
    const run = migrate({});
    expect(run.status).toBe(78);
    expect(run.stderr).toMatch(/^DATABASE_URL is not set/);
  });
});

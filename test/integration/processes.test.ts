/**
 * The processes as an operator meets them: `npm start` on embedded defaults (ready, refuses a
 * second instance on the same data folder, stops every child on SIGTERM), a clear one-line error
 * for a bad variable, and an API that answers 503 instead of crashing while its database and
 * Temporal are away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../runtime/free-port.ts';
import { resolveTemporalCli } from '../../runtime/temporal-cli.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const started: ChildProcess[] = [];
const dirs: string[] = [];

function run(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(url: string, status: number, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status === status) return res;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(() => {
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('npm start', () => {
  it('comes up on embedded defaults, refuses a second instance, and leaves no process behind on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pbas-start-'));
    dirs.push(dataDir);
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', TEMPORAL_CLI_PATH: resolveTemporalCli({ install: false }) };
    const first = run('scripts/start.ts', env);
    const t0 = Date.now();
    const ready = await waitFor(`http://127.0.0.1:${port}/readyz`, 200, 60_000);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    process.stderr.write(`npm start answered /readyz 200 after ${Date.now() - t0} ms\n`);
    expect(first.output()).toMatch(/API docs\s+http:\/\/127\.0\.0\.1:\d+\/docs/);
    expect(first.output()).toMatch(/Temporal UI\s+http:\/\/127\.0\.0\.1:\d+/);
    const demoKey = /Demo partner\s+'demo', API key (\S+)/.exec(first.output())?.[1];
    expect(demoKey).toBeDefined();
    const companies = await fetch(`http://127.0.0.1:${port}/v1/partners/demo/company-mappings?limit=5`, { headers: { authorization: `Bearer ${demoKey}` } });
    expect(((await companies.json()) as { total: number }).total).toBe(40);

    const second = run('scripts/start.ts', { ...env, PORT: String(await freePort()) });
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toMatch(/another instance \(pid \d+\) is using/);

    const children = (await import('node:child_process')).execFileSync('ps', ['-o', 'comm=,pid=', '--ppid', String(first.child.pid)]).toString();
    const temporalPid = Number(/^\s*temporal\s+(\d+)/m.exec(children)?.[1]);
    expect(alive(temporalPid)).toBe(true);
    const childPids = [...children.matchAll(/^\s*\S+\s+(\d+)/gm)].map((m) => Number(m[1]));
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    for (let i = 0; i < 30 && childPids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(temporalPid)).toBe(false);
    expect(childPids.filter(alive)).toEqual([]);
  }, 120_000);

  it('stops with one line naming a bad variable', async () => {
    const bad = run('scripts/start.ts', { PORT: 'eighty', DATABASE_URL: 'mysql://nope' });
    expect(await bad.exited).toBe(78);
    const lines = bad.output().trim().split('\n');
    expect(lines).toEqual(['invalid environment variable DATABASE_URL: expected a postgres:// or postgresql:// URL', expect.stringMatching(/^invalid environment variable PORT: /)]);
  });
});

describe('npm run api without its database and Temporal', () => {
  it('answers /readyz 503 with the reasons and keeps running', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pbas-api-'));
    dirs.push(dataDir);
    const port = await freePort();
    const closed = await freePort();
    const api = run('api/main.ts', { DATA_DIR: dataDir, PORT: String(port), DATABASE_URL: `postgres://nobody@127.0.0.1:${closed}/none`, TEMPORAL_ADDRESS: `127.0.0.1:${closed}`, PASSWORDBOSS_API_URL: 'http://127.0.0.1:9/', PASSWORDBOSS_API_TOKEN: 'token', LOG_LEVEL: 'error' });
    const res = await waitFor(`http://127.0.0.1:${port}/readyz`, 503, 30_000);
    const body = (await res.json()) as { checks: { database: { error: string } } };
    expect(body).toMatchObject({ status: 'not_ready', checks: { database: { ok: false }, temporal: { ok: false } } });
    expect(body.checks.database.error).toBe('ECONNREFUSED');
    // Anyone may ask /readyz: it names the failure, not the database's host or user.
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|nobody|none/);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(api.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    api.child.kill('SIGTERM');
    await api.exited;
  }, 60_000);
});

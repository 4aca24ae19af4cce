/**
 * A real PostgreSQL for the tests: a throw-away cluster in a temp folder on a free port, from
 * Debian's packages (installed with apt-get when absent and we are root). The server refuses to
 * run as root, so it runs as the `postgres` user then.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../runtime/free-port.ts';

export interface ThrowawayPostgres {
  url: string;
  /** The postmaster's pid (the benchmarks read the cluster's CPU time from /proc). */
  pid: number;
  stop(): void;
  /** Stops the server as a crash would (immediate: no checkpoint), then starts it again on the same port. */
  restart(downMs: number): Promise<void>;
}

function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
}

function ensureInstalled(): string {
  let bin = findBinDir();
  if (bin) return bin;
  if (process.getuid?.() !== 0) throw new Error('PostgreSQL server binaries are missing: `apt-get install -y postgresql`, or set TEST_DATABASE_URL');
  process.stderr.write('Installing PostgreSQL from Debian packages…\n');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  bin = findBinDir();
  if (!bin) throw new Error('apt-get installed postgresql but no initdb was found under /usr/lib/postgresql');
  return bin;
}

/** `statementStats`: load pg_stat_statements, so a benchmark can count the statements a run sends. */
export async function startThrowawayPostgres(options: { statementStats?: boolean } = {}): Promise<ThrowawayPostgres> {
  const bin = ensureInstalled();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pbas-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const run = (cmd: string, args: string[]) => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] as const : [path.join(bin, cmd), args] as const;
    const res = spawnSync(full[0], [...full[1]], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`${cmd} failed: ${res.stderr || res.stdout}`);
  };
  const port = await freePort();
  run('initdb', ['-D', path.join(dir, 'pg'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const start = () => run('pg_ctl', ['-D', path.join(dir, 'pg'), '-w', '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300${options.statementStats ? ' -c shared_preload_libraries=pg_stat_statements' : ''}`, 'start']);
  start();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      run('pg_ctl', ['-D', path.join(dir, 'pg'), '-m', 'immediate', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // An interrupted run (Ctrl-C in a benchmark) must not leave the server behind.
  process.once('exit', stop);
  const pid = Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const restart = async (downMs: number) => {
    run('pg_ctl', ['-D', path.join(dir, 'pg'), '-m', 'immediate', 'stop']);
    await new Promise((r) => setTimeout(r, downMs));
    start();
  };
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, pid, stop, restart };
}

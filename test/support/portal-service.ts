/**
 * `npm start` in a child process on a throw-away data folder, for browser tests: waits for
 * /readyz and reads the admin key, the Temporal address and the simulators' URLs it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../runtime/free-port.ts';
import { resolveTemporalCli } from '../../runtime/temporal-cli.ts';

export interface PortalService {
  base: string;
  adminKey: string;
  temporalAddress: string;
  autotaskSimUrl: string;
  passwordbossSimUrl: string;
  stop(): Promise<void>;
}

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export async function startPortalService(): Promise<PortalService> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pbas-portal-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', TEMPORAL_CLI_PATH: resolveTemporalCli({ install: false }) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let banner = '';
  child.stdout!.on('data', (chunk: Buffer) => { banner += chunk.toString(); output = (output + chunk.toString()).slice(-4000); });
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  for (let i = 0; ; i++) {
    const ok = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (ok && /Simulators /.test(banner)) break;
    if (child.exitCode !== null || i >= 450) throw new Error(`npm start did not become ready (exit code ${child.exitCode}):\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const adminKey = (JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as { adminApiKey: string }).adminApiKey;
  const temporalAddress = /Temporal {7}(\S+)/.exec(banner)?.[1];
  const sims = /Simulators +Autotask (\S+), Password Boss (\S+)/.exec(banner);
  if (!temporalAddress || !sims) throw new Error(`npm start's banner did not name Temporal and the simulators:\n${banner}`);
  return {
    base,
    adminKey,
    temporalAddress,
    autotaskSimUrl: sims[1]!,
    passwordbossSimUrl: sims[2]!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

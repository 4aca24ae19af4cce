/**
 * Runs `temporal server start-dev` as a child process: SQLite file (or memory), Web UI on, the
 * search attributes the workflows use registered. Used by `npm start` and by the test setup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { freePort, waitForPort } from './free-port.ts';
import { loopbackHost } from './loopback.ts';

export interface DevServerOptions {
  binary: string;
  /** Custom search attributes to register, name → type (workflows/search-attributes.ts). */
  searchAttributes: Readonly<Record<string, string>>;
  /** SQLite file for persistence; omitted = in memory. */
  dbFilename?: string;
  /** A loopback address; anything else (e.g. `HOST=0.0.0.0`) is replaced by 127.0.0.1 (runtime/loopback.ts). */
  host?: string;
  port?: number;
  uiPort?: number;
  ui?: boolean;
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Serve the server's Prometheus metrics on this loopback port (benchmarks read them). */
  metricsPort?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  const host = loopbackHost(options.host);
  // The preferred ports (7233, 8233) are checked before use, but another process may take them
  // between the check and the bind (two `npm start`s at once): then retry on random free ports.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(host, attempt === 1 ? options.port ?? 7233 : 0);
    const uiPort = options.ui === false ? undefined : await freePort(host, attempt === 1 ? options.uiPort ?? 8233 : 0);
    try {
      return await launch(options, host, port, uiPort);
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt >= 3) throw err;
    }
  }
}

class PortTakenError extends Error {}

async function launch(options: DevServerOptions, host: string, port: number, uiPort: number | undefined): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', host, '--port', String(port),
    '--namespace', options.namespace ?? 'default', '--log-level', options.logLevel ?? 'error',
    '--log-format', 'json'];
  if (options.dbFilename) {
    // SQLite's defaults (a rollback journal, two fsyncs per commit) made every workflow step wait
    // on the disk: `npm start` synced 20 companies/s. A write-ahead log synced at checkpoints
    // survives a crash of the process (not of the machine) and runs 2.5× faster.
    args.push('--db-filename', options.dbFilename, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  }
  if (options.metricsPort) args.push('--metrics-port', String(options.metricsPort));
  if (uiPort) args.push('--ui-port', String(uiPort), '--ui-ip', host);
  else args.push('--headless');
  for (const [name, type] of Object.entries(options.searchAttributes)) args.push('--search-attribute', `${name}=${type}`);
  // Eager activity dispatch: the worker gets a child's Autotask activity in the reply to the
  // workflow task that scheduled it, instead of through another poll (off by default in the server).
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');

  // Go's collector was the dev server's largest cost per workflow at the default GOGC=100, and
  // grew with every execution it kept: 400 trades memory (a soft cap of 2 GiB) for about a third
  // less CPU per child workflow (`npm run bench -- sync`).
  const env = { ...process.env, GOGC: '400', GOMEMLIMIT: '2GiB' };
  const child = spawn(options.binary, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const earlyExit = () => {
    process.removeListener('exit', killOnExit);
    const reason = stderr.trim().slice(-1000);
    return /address already in use|bind/i.test(reason) ? new PortTakenError(`port ${port} or ${uiPort} was taken: ${reason}`) : new Error(`temporal server start-dev exited early: ${reason}`);
  };
  const failed = exited.then(() => {
    throw earlyExit();
  });
  failed.catch(() => {});
  await Promise.race([waitForPort(host, port, 60_000), failed]);
  // The port opens before the frontend is healthy; wait until it answers.
  await Promise.race([waitForFrontend(`${host}:${port}`, 60_000), failed]);
  if (uiPort) await Promise.race([waitForPort(host, uiPort, 30_000), failed]);
  // What answered may be another process's server on a port ours failed to bind.
  await new Promise((r) => setTimeout(r, 100));
  if (child.exitCode !== null || child.signalCode !== null) throw earlyExit();

  return {
    address: `${host}:${port}`,
    uiUrl: uiPort ? `http://${host}:${uiPort}` : undefined,
    process: child,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForFrontend(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      await connection.close();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Temporal at ${address} did not become healthy: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

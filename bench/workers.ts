/**
 * `npm run bench -- workers`: does a second worker process add throughput? N companies, every
 * count changed, zero Autotask latency (the engine's own cost), with one worker and then two on
 * the same task queue, each on a fresh Temporal dev server; `--worker-counts=1,2,1,2` runs them
 * as back-to-back pairs. Both workers share Autotask's thread limit through PostgreSQL, as
 * deployed. Prints one table; asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { createPasswordBossSimulator } from '../simulators/passwordboss/server.ts';
import { startThrowawayPostgres } from '../test/support/throwaway-postgres.ts';
import { BENCH_NODE_FLAGS, NOW, buildBenchBundle, bumpCounts, createBenchDatabase, peakRssMb, runPartner, scenario, seedPartner, startTenantDirectory, startWorker, stopWorker, unitsExact } from './fleet.ts';
import { cpuMs, postgresCpuMs } from './proc-cpu.ts';
import { printTable } from './table.ts';
import { startBenchTemporal } from './temporal-target.ts';

export interface WorkersBenchOptions {
  n: number;
  /** Worker processes per run, in order (default one, then two). */
  workerCounts: number[];
}

export const defaultWorkersBenchOptions: WorkersBenchOptions = { n: 1_000, workerCounts: [1, 2] };

export async function benchWorkers(options: WorkersBenchOptions = defaultWorkersBenchOptions): Promise<void> {
  const [pg, bundlePath, directory] = await Promise.all([startThrowawayPostgres(), buildBenchBundle(), startTenantDirectory()]);
  const secretsKey = randomBytes(32);
  const { url: databaseUrl, db } = await createBenchDatabase(pg.url, 'workers');
  const rows: Array<Array<string | number>> = [];
  try {
    const s = scenario(options.n, true, 'workers', 1);
    const sim = await directory.add(s, { hourlyThreshold: 1_000_000 });
    const passwordboss = createPasswordBossSimulator({ token: 'bench', fixture: s.demo.passwordboss });
    const pbUrl = await passwordboss.app.listen({ host: '127.0.0.1', port: 0 });
    await seedPartner(db.db, s, secretsKey);
    let oneWorker: number | undefined;
    for (const [index, count] of options.workerCounts.entries()) {
      if (index > 0) bumpCounts(s, 1);
      const temporal = await startBenchTemporal('dev', pg.url, 1);
      const connection = await Connection.connect({ address: temporal.address });
      const taskQueue = `bench-workers-${index}`;
      const workers: ChildProcess[] = [];
      try {
        for (let w = 0; w < count; w++) {
          workers.push(await startWorker({ databaseUrl, temporalAddress: temporal.address, taskQueue, workflowBundlePath: bundlePath, zoneLookupUrl: directory.zoneLookupUrl, passwordbossUrl: pbUrl, passwordbossToken: 'bench', secretsKeyHex: secretsKey.toString('hex'), trackingIdentifier: s.demo.credentials.trackingIdentifier, now: NOW.toISOString(), apiHosts: directory.apiHosts() }, BENCH_NODE_FLAGS));
        }
        const pids = workers.map((w) => w.pid!);
        sim.peakConcurrency.clear();
        const before = { server: cpuMs(temporal.pids), worker: cpuMs(pids), postgres: postgresCpuMs(pg.pid) };
        const t0 = performance.now();
        const { seconds, summary } = await runPartner(new Client({ connection }), taskQueue, s.partnerId, `workers-${index}`, t0);
        const perCompany = (used: number) => (used / options.n).toFixed(1);
        const rate = options.n / seconds;
        if (count === 1) oneWorker ??= rate;
        rows.push([
          count,
          options.n,
          `${seconds.toFixed(1)} s`,
          rate.toFixed(0),
          count > 1 && oneWorker ? (rate / oneWorker).toFixed(2) : '—',
          perCompany(cpuMs(temporal.pids) - before.server),
          perCompany(cpuMs(pids) - before.worker),
          perCompany(postgresCpuMs(pg.pid) - before.postgres),
          Math.max(0, ...sim.peakConcurrency.values()),
          pids.map((pid) => `${peakRssMb(pid)}`).join(' + ') + ' MB',
          summary.failed === 0 && unitsExact(s, sim) ? 'yes' : 'NO',
        ]);
      } finally {
        for (const w of workers) await stopWorker(w);
        await connection.close();
        await temporal.stop();
      }
    }
    await passwordboss.app.close();
  } finally {
    await db.close();
    await directory.close();
    pg.stop();
  }
  printTable(
    'Worker processes on one task queue: every count changed, zero Autotask latency, ≤ 3 requests in flight per endpoint shared through PostgreSQL; Temporal dev server (SQLite file, WAL), fresh per run',
    ['workers', 'N', 'run', 'companies/s', '÷ one worker', 'Temporal CPU ms/company', 'workers CPU ms/company', 'PostgreSQL CPU ms/company', 'most AT requests in flight per endpoint', 'worker peak RSS', 'exact'],
    rows
  );
}

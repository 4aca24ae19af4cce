/**
 * `npm run bench -- peak`: month-end, when hundreds of partners' schedules fire in the same hour
 * (issue 15). Three phases against one worker process, each on a fresh Temporal dev server:
 * one big partner alone (the yardstick), P small partners started together, and the P small
 * ones together with the big one (does it hold them back?). Every partner is its own Autotask
 * tenant (its own 3 threads per endpoint) and every count changed. Prints one table; asserts
 * nothing.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createPasswordBossSimulator } from '../simulators/passwordboss/server.ts';
import type { AutotaskSimulator } from '../simulators/autotask/server.ts';
import { startThrowawayPostgres } from '../test/support/throwaway-postgres.ts';
import { BENCH_NODE_FLAGS, NOW, buildBenchBundle, bumpCounts, createBenchDatabase, peakRssMb, quantile, runPartner, scenario, seedPartner, startTenantDirectory, startWorker, stopWorker, unitsExact, type Scenario } from './fleet.ts';
import { cpuMs } from './proc-cpu.ts';
import { printTable } from './table.ts';
import { startBenchTemporal } from './temporal-target.ts';

export interface PeakBenchOptions {
  /** Small partners started together (issue 15: 200). */
  partners: number;
  /** Companies of each small partner (25). */
  companies: number;
  /** Companies of the big partner (5,000): the yardstick run alone, then alongside the small ones. */
  big: number;
  latencyMs: number;
}

export const defaultPeakBenchOptions: PeakBenchOptions = { partners: 200, companies: 25, big: 5_000, latencyMs: 50 };

interface Partner {
  s: Scenario;
  sim: AutotaskSimulator;
}

export async function benchPeak(options: PeakBenchOptions = defaultPeakBenchOptions): Promise<void> {
  const [pg, bundlePath, directory] = await Promise.all([startThrowawayPostgres(), buildBenchBundle(), startTenantDirectory()]);
  const secretsKey = randomBytes(32);
  const { url: databaseUrl, db } = await createBenchDatabase(pg.url, 'peak');
  const rows: Array<Array<string | number>> = [];
  try {
    // The budget is the MSP's and has a benchmark of its own: here it would pace the big partner.
    const simOptions = { hourlyThreshold: 1_000_000 };
    const small: Partner[] = [];
    for (let i = 1; i <= options.partners; i++) {
      const s = scenario(options.companies, true, `peak-${i}`, i);
      small.push({ s, sim: await directory.add(s, simOptions) });
    }
    const bigScenario = scenario(options.big, true, 'peak-big', 100_000);
    const big: Partner = { s: bigScenario, sim: await directory.add(bigScenario, simOptions) };
    const passwordboss = createPasswordBossSimulator({ token: 'bench', fixture: { partners: [...small, big].map((p) => p.s.demo.passwordboss.partners[0]!) } });
    const pbUrl = await passwordboss.app.listen({ host: '127.0.0.1', port: 0 });
    for (const p of [...small, big]) await seedPartner(db.db, p.s, secretsKey);
    for (const p of [...small, big]) p.sim.faults.latencyMs = options.latencyMs;

    let yardstick: number | undefined;
    const phases: Array<{ name: string; partners: Partner[] }> = [
      { name: `one partner, ${options.big.toLocaleString('en')} companies`, partners: [big] },
      { name: `${options.partners} partners × ${options.companies}`, partners: small },
      { name: `${options.partners} × ${options.companies} + one of ${options.big.toLocaleString('en')}`, partners: [...small, big] },
    ];
    for (const [index, phase] of phases.entries()) {
      // Every count moves again, so each phase writes every company.
      if (index > 0) for (const p of phase.partners) bumpCounts(p.s, 1);
      const temporal = await startBenchTemporal('dev', pg.url, 1);
      const connection = await Connection.connect({ address: temporal.address });
      const taskQueue = `bench-peak-${index}`;
      const worker = await startWorker({ databaseUrl, temporalAddress: temporal.address, taskQueue, workflowBundlePath: bundlePath, zoneLookupUrl: directory.zoneLookupUrl, passwordbossUrl: pbUrl, passwordbossToken: 'bench', secretsKeyHex: secretsKey.toString('hex'), trackingIdentifier: big.s.demo.credentials.trackingIdentifier, now: NOW.toISOString(), apiHosts: directory.apiHosts() }, BENCH_NODE_FLAGS);
      try {
        const client = new Client({ connection });
        const cpuBefore = { server: cpuMs(temporal.pids), worker: cpuMs([worker.pid!]) };
        const t0 = performance.now();
        const results = await Promise.all(phase.partners.map((p) => runPartner(client, taskQueue, p.s.partnerId, `peak-${index}`, t0)));
        const total = (performance.now() - t0) / 1000;
        const companies = phase.partners.reduce((sum, p) => sum + p.s.mapped.length, 0);
        const cpu = { server: (cpuMs(temporal.pids) - cpuBefore.server) / companies, worker: (cpuMs([worker.pid!]) - cpuBefore.worker) / companies };
        const exact = phase.partners.every((p, i) => results[i]!.summary.failed === 0 && unitsExact(p.s, p.sim));
        const smallTimes = phase.partners.map((p, i) => (p === big ? undefined : results[i]!.seconds)).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
        const bigSeconds = results[phase.partners.indexOf(big)]?.seconds;
        if (index === 0) yardstick = total;
        const median = quantile(smallTimes, 0.5);
        const slowest = smallTimes.at(-1);
        rows.push([
          phase.name,
          companies,
          exact ? 'yes' : 'NO',
          `${total.toFixed(1)} s`,
          yardstick && index > 0 ? (total / yardstick).toFixed(2) : '—',
          smallTimes.length ? `${median.toFixed(1)} / ${quantile(smallTimes, 0.9).toFixed(1)} / ${slowest!.toFixed(1)} s` : '—',
          smallTimes.length ? (slowest! / median).toFixed(2) : '—',
          bigSeconds === undefined ? '—' : `${bigSeconds.toFixed(1)} s`,
          (companies / total).toFixed(0),
          cpu.server.toFixed(1),
          cpu.worker.toFixed(1),
          `${peakRssMb(worker.pid!)} MB`,
        ]);
      } finally {
        await stopWorker(worker);
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
    `Month-end peak: one worker, every partner its own Autotask tenant, every count changed, ${options.latencyMs} ms Autotask latency, ≤ 3 requests in flight per endpoint and tenant; Temporal dev server (SQLite file, WAL), fresh per phase`,
    ['phase', 'companies', 'exact', 'total', '÷ one big run', 'small partners median / p90 / slowest', 'slowest ÷ median', 'big partner', 'companies/s', 'Temporal CPU ms/company', 'worker CPU ms/company', 'worker peak RSS'],
    rows
  );
}

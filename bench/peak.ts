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
import { cpuMs, postgresCpuMs } from './proc-cpu.ts';
import { delta, deltaBy, scrape, type PromSnapshot } from './prom.ts';
import { freePort } from '../runtime/free-port.ts';
import { runSteps, stepNames } from './run-steps.ts';
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
  /** Which phases to run, 1-based (1 the big partner alone, 2 the small ones, 3 both). */
  phases: number[];
  /** Environment for the worker process, e.g. WORKER_MAX_CACHED_WORKFLOWS to try another cache. */
  workerEnv: Record<string, string>;
  /** Write the worker's V8 CPU profile per phase into this directory (`--cpu-prof`). */
  cpuProfDir?: string | undefined;
}

export const defaultPeakBenchOptions: PeakBenchOptions = { partners: 200, companies: 25, big: 5_000, latencyMs: 50, phases: [1, 2, 3], workerEnv: {} };

interface Partner {
  s: Scenario;
  sim: AutotaskSimulator;
}

export async function benchPeak(options: PeakBenchOptions = defaultPeakBenchOptions): Promise<void> {
  const [pg, bundlePath, directory] = await Promise.all([startThrowawayPostgres(), buildBenchBundle(), startTenantDirectory()]);
  const secretsKey = randomBytes(32);
  const { url: databaseUrl, db } = await createBenchDatabase(pg.url, 'peak');
  const rows: Array<Array<string | number>> = [];
  const costs: Array<Array<string | number>> = [];
  const steps: Array<Array<string | number>> = [];
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
      if (!options.phases.includes(index + 1)) continue;
      // Every count moves again, so each phase writes every company.
      for (const p of phase.partners) bumpCounts(p.s, 1);
      const temporal = await startBenchTemporal('dev', pg.url, 1, await freePort('127.0.0.1'));
      const connection = await Connection.connect({ address: temporal.address });
      const taskQueue = `bench-peak-${index}`;
      const sdkMetricsAddress = `127.0.0.1:${await freePort('127.0.0.1')}`;
      const nodeFlags = options.cpuProfDir ? [...BENCH_NODE_FLAGS, '--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, `--cpu-prof-name=worker-phase${index + 1}.cpuprofile`] : BENCH_NODE_FLAGS;
      const worker = await startWorker({ databaseUrl, temporalAddress: temporal.address, taskQueue, workflowBundlePath: bundlePath, zoneLookupUrl: directory.zoneLookupUrl, passwordbossUrl: pbUrl, passwordbossToken: 'bench', secretsKeyHex: secretsKey.toString('hex'), trackingIdentifier: big.s.demo.credentials.trackingIdentifier, now: NOW.toISOString(), apiHosts: directory.apiHosts(), sdkMetricsAddress }, nodeFlags, false, options.workerEnv);
      try {
        const client = new Client({ connection });
        const metrics = async (): Promise<{ server: PromSnapshot; sdk: PromSnapshot }> => ({ server: await scrape(temporal.metricsUrl!), sdk: await scrape(`http://${sdkMetricsAddress}/metrics`) });
        const metricsBefore = await metrics();
        const cpuBefore = { server: cpuMs(temporal.pids), worker: cpuMs([worker.pid!]), postgres: postgresCpuMs(pg.pid) };
        const t0 = performance.now();
        const t0EpochMs = Date.now();
        const results = await Promise.all(phase.partners.map((p) => runPartner(client, taskQueue, p.s.partnerId, `peak-${index}`, t0)));
        const total = (performance.now() - t0) / 1000;
        const cpuMsUsed = { server: cpuMs(temporal.pids) - cpuBefore.server, worker: cpuMs([worker.pid!]) - cpuBefore.worker, postgres: postgresCpuMs(pg.pid) - cpuBefore.postgres };
        const metricsAfter = await metrics();
        const companies = phase.partners.reduce((sum, p) => sum + p.s.mapped.length, 0);
        const cpu = { server: cpuMsUsed.server / companies, worker: cpuMsUsed.worker / companies };
        const sdk = (name: string) => delta(metricsBefore.sdk, metricsAfter.sdk, name);
        const serverRequests = deltaBy(metricsBefore.server, metricsAfter.server, 'service_requests', 'operation');
        const serverRequest = (operation: string) => serverRequests.find(([op]) => op === operation)?.[1] ?? 0;
        const runs = phase.partners.length;
        const smallPartners = phase.partners.filter((p) => p !== big);
        if (smallPartners.length > 0) {
          const timings = await Promise.all(smallPartners.map((p) => runSteps(client, `partner-sync/${p.s.partnerId}/peak-${index}`, t0EpochMs)));
          steps.push([phase.name, ...stepNames.map((name) => {
            const sorted = timings.map((t) => t[name]).sort((a, b) => a - b);
            return `${quantile(sorted, 0.5).toFixed(1)} / ${sorted.at(-1)!.toFixed(1)}`;
          })]);
        }
        costs.push([
          phase.name,
          runs,
          (cpuMsUsed.server / runs).toFixed(0),
          (cpuMsUsed.worker / runs).toFixed(0),
          (cpuMsUsed.postgres / runs).toFixed(0),
          ((cpuMsUsed.server + cpuMsUsed.worker + cpuMsUsed.postgres) / companies).toFixed(1),
          sdk('temporal_sticky_cache_hit_total'),
          sdk('temporal_sticky_cache_miss_total'),
          sdk('temporal_sticky_cache_total_forced_eviction_total'),
          serverRequest('GetWorkflowExecutionHistory'),
          serverRequest('PollWorkflowTaskQueue'),
          serverRequest('PollActivityTaskQueue'),
          serverRequests.slice(0, 6).map(([op, n]) => `${op} ${n}`).join(', '),
        ]);
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
          yardstick !== undefined && index > 0 ? (total / yardstick).toFixed(2) : '—',
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
  printTable(
    'Where each phase went: CPU ms per partner run by process, all three per company; the worker SDK\'s workflow cache (a miss fetches the history and replays it in the sandbox); the Temporal server\'s requests',
    ['phase', 'partner runs', 'Temporal CPU ms/run', 'worker CPU ms/run', 'PostgreSQL CPU ms/run', 'all CPU ms/company', 'cache hits', 'cache misses', 'forced evictions', 'GetWorkflowExecutionHistory', 'workflow polls', 'activity polls', 'most requests'],
    costs
  );
  printTable(
    'When the small partners\' runs reached each step, seconds from the common start (Temporal\'s event times): median / slowest',
    ['phase', ...stepNames],
    steps
  );
}

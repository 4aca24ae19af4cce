/**
 * `npm run bench -- budget`: a run against the tenant's hourly Autotask threshold, with the
 * simulator's "hour" shortened (issue 15; docs/design.md rule 10). N changes for one tenant, a
 * threshold of T requests per window and `AUTOTASK_BUDGET_SHARE` S: the run must keep the
 * tenant's usage in every window at or under S × T, finish, and leave every unit exact. The
 * window must be long enough that the budget, not the engine, limits the run (at a few dozen
 * companies a second this machine cannot fill 5,000 requests in a 60-second window). Prints one
 * table; asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { Client, Connection } from '@temporalio/client';
import { createPasswordBossSimulator } from '../simulators/passwordboss/server.ts';
import { startThrowawayPostgres } from '../test/support/throwaway-postgres.ts';
import { BENCH_NODE_FLAGS, NOW, buildBenchBundle, createBenchDatabase, runPartner, scenario, seedPartner, startTenantDirectory, startWorker, stopWorker, unitsExact, type RunSummary } from './fleet.ts';
import { printTable } from './table.ts';
import { startBenchTemporal } from './temporal-target.ts';

export interface BudgetBenchOptions {
  /** Companies, each with one changed count. */
  n: number;
  /** The tenant's threshold per window. */
  threshold: number;
  /** The simulator's "hour". */
  windowSeconds: number;
  /** AUTOTASK_BUDGET_SHARE. */
  share: number;
  latencyMs: number;
}

export const defaultBudgetBenchOptions: BudgetBenchOptions = { n: 1_000, threshold: 1_000, windowSeconds: 60, share: 0.5, latencyMs: 50 };

export async function benchBudget(options: BudgetBenchOptions = defaultBudgetBenchOptions): Promise<void> {
  const [pg, bundlePath, directory] = await Promise.all([startThrowawayPostgres(), buildBenchBundle(), startTenantDirectory()]);
  const secretsKey = randomBytes(32);
  const { url: databaseUrl, db } = await createBenchDatabase(pg.url, 'budget');
  const rows: Array<Array<string | number>> = [];
  const temporal = await startBenchTemporal('dev', pg.url, 1);
  const connection = await Connection.connect({ address: temporal.address });
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const s = scenario(options.n, true, 'budget', 1);
    const sim = await directory.add(s, { hourlyThreshold: options.threshold, thresholdWindowMs: options.windowSeconds * 1000 });
    sim.faults.latencyMs = options.latencyMs;
    const passwordboss = createPasswordBossSimulator({ token: 'bench', fixture: s.demo.passwordboss });
    const pbUrl = await passwordboss.app.listen({ host: '127.0.0.1', port: 0 });
    await seedPartner(db.db, s, secretsKey);
    const taskQueue = 'bench-budget';
    const worker = await startWorker({ databaseUrl, temporalAddress: temporal.address, taskQueue, workflowBundlePath: bundlePath, zoneLookupUrl: directory.zoneLookupUrl, passwordbossUrl: pbUrl, passwordbossToken: 'bench', secretsKeyHex: secretsKey.toString('hex'), trackingIdentifier: s.demo.credentials.trackingIdentifier, now: NOW.toISOString(), apiHosts: directory.apiHosts(), budgetShare: options.share }, BENCH_NODE_FLAGS);
    try {
      sim.resetPeakRequestsInWindow();
      sim.faults.log = [];
      // Paced time, as the API shows it: the run's paced_until set, sampled every 250 ms.
      let pacedMs = 0;
      let pauses = 0;
      let wasPaced = false;
      const sampler = setInterval(() => {
        void sql<Array<{ paced: boolean }>>`select paced_until is not null as paced from sync_runs where partner_id = ${s.partnerId} and finished_at is null`.then((r) => {
          const paced = r.some((x) => x.paced);
          if (paced) pacedMs += 250;
          if (paced && !wasPaced) pauses++;
          wasPaced = paced;
        }, () => {});
      }, 250);
      // Long enough for the budget to allow twice the requests of the changes, three times over.
      const windowsNeeded = Math.ceil((2 * options.n) / (options.threshold * options.share)) + 2;
      const timeoutMs = Math.max(10 * 60_000, 3 * windowsNeeded * options.windowSeconds * 1000);
      const t0 = performance.now();
      let outcome: { seconds: number; summary: RunSummary } | undefined;
      try {
        outcome = await Promise.race([runPartner(new Client({ connection }), taskQueue, s.partnerId, 'budget', t0), new Promise<undefined>((r) => setTimeout(() => r(undefined), timeoutMs).unref())]);
      } finally {
        clearInterval(sampler);
      }
      const seconds = outcome?.seconds ?? (performance.now() - t0) / 1000;
      const requests = sim.faults.log.filter((r) => !/zoneinformation|thresholdinformation/i.test(r.path)).length;
      const refused = sim.faults.log.filter((r) => r.status === 429).length;
      const exact = outcome !== undefined && outcome.summary.failed === 0 && unitsExact(s, sim);
      rows.push([
        options.n,
        options.threshold,
        `${options.windowSeconds} s`,
        options.share,
        `${((100 * sim.peakRequestsInWindow()) / options.threshold).toFixed(1)} %`,
        outcome ? 'yes' : `NO (stopped after ${(timeoutMs / 1000).toFixed(0)} s)`,
        exact ? 'yes' : 'NO',
        `${seconds.toFixed(1)} s`,
        `${(pacedMs / 1000).toFixed(1)} s in ${pauses} pause${pauses === 1 ? '' : 's'}`,
        requests,
        refused,
        (options.n / seconds).toFixed(1),
      ]);
    } finally {
      await stopWorker(worker);
      await passwordboss.app.close();
    }
  } finally {
    await sql.end({ timeout: 5 });
    await connection.close();
    await temporal.stop();
    await db.close();
    await directory.close();
    pg.stop();
  }
  printTable(
    `Hourly budget, time-compressed: one tenant, every count changed, ${options.latencyMs} ms Autotask latency; usage = the most requests any rolling window held (ThresholdInformation is free and not counted)`,
    ['N', 'threshold', 'window', 'share', 'highest usage ÷ threshold', 'finished', 'exact', 'total', 'paced', 'AT requests', '429s', 'companies/s'],
    rows
  );
}

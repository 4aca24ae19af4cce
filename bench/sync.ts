/**
 * `npm run bench -- sync`: "sync now" for N mapped companies (one product each, every count
 * changed, then a second run with nothing changed) against the simulators with 50 ms Autotask
 * latency and the 3-thread limit; the same run at zero latency (Temporal's own overhead); the
 * peak memory of the worker (a separate process) and of the Temporal server (fresh for each
 * N: the dev server, or with `--temporal=server` the production server on PostgreSQL); CPU per
 * company of the server, PostgreSQL and the worker in the zero-latency run; and a naive
 * sequential loop as the baseline a hand-written script would be. Prints one table; asserts
 * nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { createDb } from '../db/client.ts';
import { createSecretBox } from '../db/secret-box.ts';
import { upsertSettings } from '../db/repositories/autotask-settings.ts';
import { refreshCompanies, saveCompanyMapping } from '../db/repositories/company-mappings.ts';
import { insertPartner } from '../db/repositories/partners.ts';
import { replaceProductMappings } from '../db/repositories/product-mappings.ts';
import { AutotaskClient } from '../integrations/autotask/client.ts';
import { q, query } from '../integrations/autotask/query.ts';
import { contractSchema, contractServiceSchema } from '../integrations/autotask/schemas.ts';
import { createAutotaskSimulator } from '../simulators/autotask/server.ts';
import { createPasswordBossSimulator } from '../simulators/passwordboss/server.ts';
import { startThrowawayPostgres } from '../test/support/throwaway-postgres.ts';
import { trace } from '@opentelemetry/api';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import { tracingFromEnv } from '../runtime/tracing.ts';
import { loadEnv } from '../config/env.ts';
import { EFFECTIVE, NOW, buildBenchBundle, bumpCounts, peakRssMb, scenario, startWorker, unitsExact, type Scenario } from './fleet.ts';
import { cpuMs, postgresCpuMs } from './proc-cpu.ts';
import { printTable } from './table.ts';
import { batchSizeBuckets, classifyRequests } from './request-stats.ts';
import type { LoggedRequest } from '../simulators/common/faults.ts';
import { describeTemporal, startBenchTemporal, type BenchTemporal, type TemporalKind } from './temporal-target.ts';
import { defaultFloorBenchOptions, measureFloor } from './floor.ts';

const LATENCY_MS = 50;

export interface SyncBenchOptions {
  sizes: number[];
  /** Sizes measured with no-change runs only (issue 15: 10,000 companies), in a table of their own. */
  unchangedSizes: number[];
  /** Also print the statements the changed run sent the app's database, busiest first. */
  sqlStats: boolean;
  /** Node flags of the worker process: the same heap limits `npm run worker` uses. */
  nodeFlags: string[];
  memoryTrace: boolean;
  /** `dev`: the dev server `npm start` runs; `server`: the production server on PostgreSQL. */
  temporal: TemporalKind;
  /** History shards of the production server (compose's default: 4). */
  historyShards: number;
  /** Also print what the zero-latency run wrote to Temporal's history, per company. */
  historyStats?: boolean;
  /** Also print where the changed and no-change runs' Autotask requests went (bench/request-stats.ts). */
  requestStats?: boolean;
  /** Leave out the naive loop (its columns print `—`): for pairs of runs that compare the engine only. */
  skipNaive?: boolean;
  /** Also run Temporal's floor (bench/floor.ts) after each size and print the run against it. */
  floor?: boolean;
}

export const defaultSyncBenchOptions: SyncBenchOptions = { sizes: [100, 1_000, 5_000], unchangedSizes: [], sqlStats: false, nodeFlags: ['--max-old-space-size=256', '--max-semi-space-size=2'], memoryTrace: false, temporal: 'dev', historyShards: 4 };

export async function benchSync(options: SyncBenchOptions = defaultSyncBenchOptions): Promise<void> {
  const { sizes } = options;
  if (options.floor && options.temporal !== 'dev') throw new Error('--floor runs on the dev server only: leave out --temporal=server, or run the two separately');
  const [pg, bundlePath] = await Promise.all([startThrowawayPostgres({ statementStats: true }), buildBenchBundle()]);
  const rows: Array<Array<string | number>> = [];
  const unchangedRows: Array<Array<string | number>> = [];
  const floorRows: Array<Array<string | number>> = [];
  const secretsKey = randomBytes(32);
  const tracing = tracingFromEnv(loadEnv(), 'bench');
  const children: ChildProcess[] = [];
  let temporal: BenchTemporal | undefined;
  let connection: Connection | undefined;

  try {
    const runs = [...sizes.map((n) => ({ n, changed: true })), ...options.unchangedSizes.map((n) => ({ n, changed: false }))];
    for (const { n, changed: withChanges } of runs) {
      // Each size gets a fresh Temporal server, the way a benchmark of one size alone would see
      // it, on disk: the dev server's SQLite file as `npm start` keeps it (in memory, the database
      // grows inside the server's Go heap and slows its collector: 41 companies/s at 5,000), or
      // the production server's own databases on the benchmark's PostgreSQL.
      temporal = await startBenchTemporal(options.temporal, pg.url, options.historyShards);
      connection = await Connection.connect({ address: temporal.address });
      // With OTEL_EXPORTER_OTLP_ENDPOINT set, runs start the way a traced Sync now does: inside a
      // span, through the tracing client interceptor, so the workflows are traced too.
      const client = new Client({ connection, ...(tracing ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } } : {}) });
      const s = scenario(n, withChanges);
      // Autotask's 10,000 requests/hour would stop a 10,000-change run halfway; the budget is
      // the MSP's, so the benchmark measures the engine without it.
      const autotask = createAutotaskSimulator({ fixture: s.demo.autotask, hourlyThreshold: 1_000_000 });
      const passwordboss = createPasswordBossSimulator({ token: 'bench', fixture: s.demo.passwordboss });
      const atUrl = await autotask.app.listen({ host: '127.0.0.1', port: 0 });
      const pbUrl = await passwordboss.app.listen({ host: '127.0.0.1', port: 0 });
      const zoneLookupUrl = `${atUrl}/atservicesrest/v1.0/zoneInformation`;

      // A database of its own, set up the way the API would leave it.
      const dbName = `bench_${n}_${randomBytes(3).toString('hex')}`;
      const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${dbName}`);
      await admin.end();
      const dbUrl = pg.url.replace(/\/[^/]*$/, `/${dbName}`);
      const db = await createDb({ databaseUrl: dbUrl, dataDir: 'unused' });
      await db.migrate();
      await insertPartner(db.db, s.demo.partner);
      await upsertSettings(db.db, s.partnerId, { username: s.demo.credentials.username, secretCiphertext: createSecretBox(secretsKey).seal(s.demo.credentials.secret, s.partnerId), trackingIdentifier: null, enabled: true, countBasis: 'users' });
      await replaceProductMappings(db.db, s.partnerId, [{ productId: 'pb-standard', productName: 'Password Boss Standard', autotaskServiceId: 301, autotaskServiceName: 'Password Boss Standard' }, { productId: 'pb-advanced', productName: 'Password Boss Advanced', autotaskServiceId: 302, autotaskServiceName: 'Password Boss Advanced' }]);
      await refreshCompanies(db.db, s.partnerId, s.demo.passwordboss.partners[0]!.companies);
      for (const m of s.mapped) await saveCompanyMapping(db.db, s.partnerId, m.pbCompanyId, m);
      const statements = await statementCounter(dbUrl);

      const taskQueue = `bench-${n}`;
      const worker = await startWorker({ databaseUrl: dbUrl, temporalAddress: temporal.address, taskQueue, workflowBundlePath: bundlePath, zoneLookupUrl, passwordbossUrl: pbUrl, passwordbossToken: 'bench', secretsKeyHex: secretsKey.toString('hex'), trackingIdentifier: s.demo.credentials.trackingIdentifier, now: NOW.toISOString() }, options.nodeFlags, options.memoryTrace);
      children.push(worker);

      // The query bodies say which read a request was; logged only when asked (they cost memory).
      autotask.faults.logBodies = options.requestStats ?? false;
      const run = async (label: string) => {
        autotask.faults.log = [];
        await statements.reset();
        const started = performance.now();
        const handle = await trace.getTracer('bench').startActiveSpan(`bench ${label}`, async (span) => {
          try {
            return await client.workflow.start('partnerSync', { taskQueue, workflowId: `partner-sync/${s.partnerId}/${label}`, args: [{ partnerId: s.partnerId, trigger: 'api' }] });
          } finally {
            span.end();
          }
        });
        const summary = (await handle.result()) as { done: number; failed: number; adjustments: number };
        if (options.historyStats && label === 'zero-latency') await printHistoryStats(client, handle.workflowId, handle.firstExecutionRunId, `company-sync/${s.partnerId}/${s.mapped[0]!.pbCompanyId}`);
        const seconds = (performance.now() - started) / 1000;
        const requests = autotask.faults.log.filter((r) => !/zoneinformation/i.test(r.path)).length;
        if (options.requestStats && label !== 'zero-latency') printRequestStats(`Autotask requests of the ${label} run, N = ${n} (${summary.adjustments} adjustments)`, autotask.faults.log);
        return { seconds, requests, summary, statements: await statements.read() };
      };

      let engine: EngineFigures | undefined;
      autotask.faults.latencyMs = LATENCY_MS;
      if (!withChanges) {
        // The first run adopts every pair into the ownership ledger; the second is a month-end
        // run where nothing moved.
        const first = await run('unchanged-first');
        const second = await run('unchanged');
        const exact = first.summary.failed === 0 && second.summary.failed === 0 && first.summary.adjustments === 0 && second.summary.adjustments === 0;
        unchangedRows.push([n, `${first.seconds.toFixed(1)} s`, first.requests, `${second.seconds.toFixed(1)} s`, second.requests, (second.statements.total / n).toFixed(1), `${peakRssMb(worker.pid!)} MB`, exact ? 'yes' : 'NO']);
      } else {
        const changed = await run('changed');
        if (options.sqlStats) printStatements(`statements of the changed run, N = ${n}`, changed.statements, n);
        const unchanged = await run('unchanged');
        autotask.faults.latencyMs = 0;
        bumpCounts(s, 1);
        // CPU of each part over the zero-latency run: what a company costs when nothing waits.
        const cpuBefore = { server: cpuMs(temporal.pids), postgres: postgresCpuMs(pg.pid), worker: cpuMs([worker.pid!]) };
        const fast = await run('zero-latency');
        const cpuPerCompany = (used: number) => (used / n).toFixed(1);
        const cpu = {
          server: cpuPerCompany(cpuMs(temporal.pids) - cpuBefore.server),
          postgres: cpuPerCompany(postgresCpuMs(pg.pid) - cpuBefore.postgres),
          worker: cpuPerCompany(cpuMs([worker.pid!]) - cpuBefore.worker),
        };
        const rss = peakRssMb(worker.pid!);
        const serverRss = temporal.pids.reduce((sum, pid) => sum + peakRssMb(pid), 0);
        const exact = unitsExact(s, autotask);

        // The baseline: what a hand-written script does, one company after another.
        autotask.faults.latencyMs = LATENCY_MS;
        const sample = Math.min(n, 200);
        const naiveTotal = options.skipNaive ? null : ((await naiveLoop(s, zoneLookupUrl, sample)) / sample) * n;
        // What the changed run cannot beat: its adjustments, 3 in flight, 50 ms each.
        const limitSeconds = (changed.summary.adjustments * LATENCY_MS) / 1000 / 3;
        engine = { changedSeconds: changed.seconds, limitSeconds, zeroLatencyRate: n / fast.seconds };

        rows.push([
          n,
          `${changed.seconds.toFixed(1)} s`,
          (changed.seconds / limitSeconds).toFixed(2),
          (changed.requests / n).toFixed(2),
          (changed.requests / Math.max(1, changed.summary.adjustments)).toFixed(3),
          (changed.statements.total / n).toFixed(1),
          `${unchanged.seconds.toFixed(1)} s`,
          unchanged.requests,
          Math.floor(n / 100 + 10),
          (n / fast.seconds).toFixed(0),
          cpu.server,
          cpu.postgres,
          cpu.worker,
          `${rss} MB`,
          `${serverRss} MB`,
          naiveTotal === null ? '—' : `${naiveTotal.toFixed(0)} s${sample < n ? ` (from ${sample})` : ''}`,
          naiveTotal === null ? '—' : `${(naiveTotal / changed.seconds).toFixed(1)}×`,
          exact && changed.summary.failed === 0 ? 'yes' : 'NO',
        ]);
      }
      worker.kill('SIGTERM');
      await Promise.race([new Promise((r) => worker.once('exit', r)), new Promise((r) => setTimeout(r, 15_000))]);
      await statements.close();
      await db.close();
      await autotask.app.close();
      await passwordboss.app.close();
      await connection.close();
      await temporal.stop();
      [connection, temporal] = [undefined, undefined];
      if (options.floor && engine) floorRows.push(await againstFloor(n, engine));
    }
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await connection?.close();
    await temporal?.stop();
    pg.stop();
    await tracing?.shutdown();
  }
  const title = `${LATENCY_MS} ms Autotask latency, ≤ 3 requests in flight per endpoint (2 cores); ${describeTemporal(options.temporal, options.historyShards)}`;
  if (rows.length) {
    printTable(`Sync now, ${title}`, [
      'N', 'changed run', '÷ limit', 'AT req/company', 'AT req/changed service', 'SQL/company', 'no-change run', 'no-change AT req', 'budget N/100+10', 'companies/s @0 ms', 'Temporal CPU ms/company', 'PostgreSQL CPU ms/company', 'worker CPU ms/company', 'worker peak RSS', 'Temporal peak RSS', 'naive loop', 'speed-up', 'exact',
    ], rows);
  }
  if (floorRows.length) {
    printTable(`The same runs against Temporal's floor (bench/floor.ts, on a fresh dev server after each size)`, ['N', 'floor companies/s', 'companies/s @0 ms', '@0 ms ÷ floor', 'changed run', 'its bound: max(limit, N ÷ floor)', 'changed run ÷ bound'], floorRows);
  }
  if (unchangedRows.length) {
    printTable(`No-change runs only, ${title}`, ['N', 'first run (adopts the ledger)', 'AT req', 'second run', 'AT req', 'SQL/company', 'worker peak RSS', 'exact'], unchangedRows);
  }
}

/**
 * What Temporal stored for the run, the work its server does per company: the parent's events
 * (its first execution: up to 1,000 children), by type, and one child's whole history.
 */
async function printHistoryStats(client: Client, parentId: string, parentRunId: string, childId: string): Promise<void> {
  const size = (h: proto.temporal.api.history.v1.IHistory) => proto.temporal.api.history.v1.History.encode(h).finish().length;
  const EventType = proto.temporal.api.enums.v1.EventType;
  const parent = await client.workflow.getHandle(parentId, parentRunId).fetchHistory();
  const child = await client.workflow.getHandle(childId).fetchHistory();
  const events = parent.events ?? [];
  const children = events.filter((e) => e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED).length || 1;
  const byType = new Map<string, { count: number; bytes: number }>();
  for (const e of events) {
    const type = EventType[e.eventType ?? 0] ?? String(e.eventType);
    const entry = byType.get(type) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += proto.temporal.api.history.v1.HistoryEvent.encode(e).finish().length;
    byType.set(type, entry);
  }
  const rows: Array<Array<string | number>> = [...byType].sort((a, b) => b[1].bytes - a[1].bytes).map(([type, e]) => [type.replace('EVENT_TYPE_', ''), (e.count / children).toFixed(2), (e.bytes / children).toFixed(0)]);
  rows.push(['parent, all events', (events.length / children).toFixed(2), (size(parent) / children).toFixed(0)]);
  rows.push([`one child (${(child.events ?? []).map((e) => EventType[e.eventType ?? 0]?.replace('EVENT_TYPE_', '')).join(', ')})`, child.events?.length ?? 0, size(child)]);
  printTable(`Temporal history of the zero-latency run, per company (${children} children in the parent's first execution)`, ['event', 'events/company', 'bytes/company'], rows);
}

interface StatementCounts {
  total: number;
  busiest: Array<{ calls: number; query: string }>;
}

/**
 * Statements the worker sends the app's database, counted by pg_stat_statements (loaded by
 * `startThrowawayPostgres({ statementStats: true })`): the evidence for round-trip work.
 */
async function statementCounter(dbUrl: string) {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  await sql.unsafe('create extension if not exists pg_stat_statements');
  // This connection's own statements are left out by the query text they all mention.
  const mine = '%pg_stat_statements%';
  return {
    async reset() {
      await sql.unsafe('select pg_stat_statements_reset()');
    },
    async read(): Promise<StatementCounts> {
      const rows = await sql<Array<{ calls: string; query: string }>>`select calls::text, query from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) and query not like ${mine} order by calls desc`;
      return { total: rows.reduce((sum, r) => sum + Number(r.calls), 0), busiest: rows.slice(0, 15).map((r) => ({ calls: Number(r.calls), query: r.query })) };
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

function printRequestStats(title: string, log: LoggedRequest[]): void {
  const stats = classifyRequests(log);
  const rows: Array<Array<string | number>> = [...stats.byKind].sort((a, b) => b[1] - a[1]).map(([kind, count]) => [kind, count]);
  rows.push(['total (zone lookups left out)', stats.total]);
  printTable(title, ['request', 'count'], rows);
  if (stats.confirmBatchSizes.length) {
    const sizes = stats.confirmBatchSizes;
    printTable(`confirm batches: ${sizes.length}, contracts each (in order): ${sizes.join(', ')}`, ['contracts per batch', 'batches'], batchSizeBuckets(sizes).map((b) => [b.bucket, b.batches]));
  }
}

function printStatements(title: string, counts: StatementCounts, n: number): void {
  printTable(title, ['per company', 'statement'], counts.busiest.map((b) => [(b.calls / n).toFixed(2), b.query.replace(/\s+/g, ' ').slice(0, 140)]));
}

async function naiveLoop(s: Scenario, zoneLookupUrl: string, count: number): Promise<number> {
  const client = new AutotaskClient({ zoneLookupUrl, ...s.demo.credentials });
  await client.zone();
  const counts = new Map(s.demo.passwordboss.partners[0]!.months.at(-1)!.counts.map((c) => [c.companyId, c]));
  const started = performance.now();
  for (const m of s.mapped.slice(0, count)) {
    const target = counts.get(m.pbCompanyId)!;
    const serviceId = target.productId === 'pb-standard' ? 301 : 302;
    const [contract] = await client.queryAll('Contracts', query([q.eq('companyID', m.autotaskCompanyId), q.eq('contractType', 7), q.gte('endDate', `${EFFECTIVE}T00:00:00`)]), contractSchema);
    await client.queryAll('ContractServices', query([q.eq('contractID', contract!.id), q.eq('serviceID', serviceId)]), contractServiceSchema);
    const current = await client.unitsOf(contract!.id, serviceId, EFFECTIVE);
    await client.createAdjustment({ contractId: contract!.id, serviceId, effectiveDate: EFFECTIVE, unitChange: target.users + 1 - current });
  }
  return (performance.now() - started) / 1000;
}

interface EngineFigures {
  changedSeconds: number;
  limitSeconds: number;
  zeroLatencyRate: number;
}

/**
 * The engine beside Temporal's floor for the same N: the share of the floor's throughput it keeps,
 * and its changed run against the best any engine of this shape could do here, the larger of the
 * physical limit and the floor's own time for N companies.
 */
async function againstFloor(n: number, engine: EngineFigures): Promise<Array<string | number>> {
  const runs = await measureFloor({ ...defaultFloorBenchOptions, n, runs: 1 });
  const floorRate = runs[runs.length - 1]!.companiesPerSecond;
  const bound = Math.max(engine.limitSeconds, n / floorRate);
  return [n, floorRate.toFixed(0), engine.zeroLatencyRate.toFixed(0), (engine.zeroLatencyRate / floorRate).toFixed(2), `${engine.changedSeconds.toFixed(1)} s`, `${bound.toFixed(1)} s`, (engine.changedSeconds / bound).toFixed(2)];
}

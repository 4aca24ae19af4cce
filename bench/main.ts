/** `npm run bench [-- autotask|sync|floor|api|portal|…]`: benchmarks that print tables (no assertions). */
import { benchApi } from './api.ts';
import { benchAutotask } from './autotask.ts';
import { benchBudget, defaultBudgetBenchOptions } from './budget.ts';
import { benchFloor, defaultFloorBenchOptions } from './floor.ts';
import { benchPeak, defaultPeakBenchOptions } from './peak.ts';
import { benchPlan, defaultPlanBenchOptions } from './plan.ts';
import { benchPortal } from './portal.ts';
import { benchSync, defaultSyncBenchOptions } from './sync.ts';
import { benchWorkers, defaultWorkersBenchOptions } from './workers.ts';
import type { TemporalKind } from './temporal-target.ts';

/** `--name=value` from the command line (`npm run bench -- sync --sizes=100,1000`). */
function flag(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** A whole-number flag, or the default; anything else stops with what was expected. */
function count(name: string, fallback: number): number {
  const value = flag(name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return n;
  process.stderr.write(`--${name}=${value}: expected a number, e.g. --${name}=${fallback}\n`);
  process.exit(2);
}

function temporalKind(value: string | undefined): TemporalKind {
  if (value === undefined || value === 'dev' || value === 'server') return value ?? defaultSyncBenchOptions.temporal;
  process.stderr.write(`--temporal=${value}: choose dev (the dev server, default) or server (the production server on PostgreSQL)\n`);
  process.exit(2);
}

const suites: Record<string, () => Promise<void>> = {
  autotask: benchAutotask,
  portal: benchPortal,
  api: () => benchApi(flag('drivers')?.split(',').filter((d): d is 'postgres' | 'pglite' => d === 'postgres' || d === 'pglite')),
  budget: () =>
    benchBudget({
      n: count('n', defaultBudgetBenchOptions.n),
      threshold: count('threshold', defaultBudgetBenchOptions.threshold),
      windowSeconds: count('window-s', defaultBudgetBenchOptions.windowSeconds),
      share: count('share', defaultBudgetBenchOptions.share),
      latencyMs: count('latency', defaultBudgetBenchOptions.latencyMs),
    }),
  floor: () =>
    benchFloor({
      n: count('n', defaultFloorBenchOptions.n),
      window: count('window', defaultFloorBenchOptions.window),
      runs: count('runs', defaultFloorBenchOptions.runs),
      fillerBytes: count('filler-bytes', defaultFloorBenchOptions.fillerBytes),
    }),
  peak: () =>
    benchPeak({
      partners: count('partners', defaultPeakBenchOptions.partners),
      companies: count('companies', defaultPeakBenchOptions.companies),
      big: count('big', defaultPeakBenchOptions.big),
      latencyMs: count('latency', defaultPeakBenchOptions.latencyMs),
      phases: flag('phases')?.split(',').filter(Boolean).map(Number) ?? defaultPeakBenchOptions.phases,
      // e.g. --worker-env=WORKER_MAX_CACHED_WORKFLOWS=600,WORKER_MAX_CONCURRENT_WORKFLOW_TASKS=100
      workerEnv: Object.fromEntries((flag('worker-env')?.split(',').filter(Boolean) ?? []).map((kv) => kv.split('=') as [string, string])),
      cpuProfDir: flag('cpu-prof-dir'),
    }),
  plan: () =>
    benchPlan({
      sizes: flag('sizes')?.split(',').filter(Boolean).map(Number) ?? defaultPlanBenchOptions.sizes,
      nodeFlags: flag('node-flags')?.split(' ').filter(Boolean) ?? defaultPlanBenchOptions.nodeFlags,
    }),
  workers: () =>
    benchWorkers({
      n: count('n', defaultWorkersBenchOptions.n),
      workerCounts: flag('worker-counts')?.split(',').filter(Boolean).map(Number) ?? defaultWorkersBenchOptions.workerCounts,
    }),
  sync: () =>
    benchSync({
      sizes: flag('sizes')?.split(',').filter(Boolean).map(Number) ?? defaultSyncBenchOptions.sizes,
      unchangedSizes: flag('unchanged-sizes')?.split(',').filter(Boolean).map(Number) ?? defaultSyncBenchOptions.unchangedSizes,
      sqlStats: process.argv.includes('--sql-stats'),
      nodeFlags: flag('node-flags')?.split(' ').filter(Boolean) ?? defaultSyncBenchOptions.nodeFlags,
      memoryTrace: process.argv.includes('--memory-trace'),
      temporal: temporalKind(flag('temporal')),
      historyShards: Number(flag('history-shards') ?? defaultSyncBenchOptions.historyShards),
      historyStats: process.argv.includes('--history-stats'),
      requestStats: process.argv.includes('--request-stats'),
      skipNaive: process.argv.includes('--no-naive'),
      floor: process.argv.includes('--floor'),
    }),
};

// Ctrl-C exits through 'exit' handlers, which stop the Temporal server and PostgreSQL it started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(suites);
for (const name of names) {
  const suite = suites[name];
  if (!suite) {
    process.stderr.write(`unknown benchmark "${name}"; choose from: ${Object.keys(suites).join(', ')}\n`);
    process.exit(2);
  }
  await suite();
}
process.exit(0);

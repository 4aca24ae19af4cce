/** `npm run bench [-- autotask|sync|api|portal]`: benchmarks that print tables (no assertions). */
import { benchApi } from './api.ts';
import { benchAutotask } from './autotask.ts';
import { benchPortal } from './portal.ts';
import { benchSync, defaultSyncBenchOptions } from './sync.ts';
import type { TemporalKind } from './temporal-target.ts';

/** `--name=value` from the command line (`npm run bench -- sync --sizes=100,1000`). */
function flag(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
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

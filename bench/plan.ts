/**
 * `npm run bench -- plan`: the memory of the planning step alone for N companies whose counts
 * already match Autotask (issue 15's no-change run), in a process with the worker's Node flags:
 * the RSS each planning run starts from and the peak it reaches (its own: the high-water mark is
 * reset before each), for a first run (adopts the ledger) and a second (nothing moved), with
 * their time and the Autotask requests of both. The whole run, Temporal
 * and the fan-out included, is `sync --unchanged-sizes`; this one takes seconds, not minutes.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { projectRoot } from '../runtime/temporal-cli.ts';
import { createPasswordBossSimulator } from '../simulators/passwordboss/server.ts';
import { createAutotaskSimulator } from '../simulators/autotask/server.ts';
import { startThrowawayPostgres } from '../test/support/throwaway-postgres.ts';
import { BENCH_NODE_FLAGS, NOW, WORKER_ENV, createBenchDatabase, scenario, seedPartner } from './fleet.ts';
import { printTable } from './table.ts';

export interface PlanBenchOptions {
  sizes: number[];
  nodeFlags: string[];
}

export const defaultPlanBenchOptions: PlanBenchOptions = { sizes: [2_000, 10_000], nodeFlags: BENCH_NODE_FLAGS };

const LATENCY_MS = 50;

interface PlanStep { seconds: number; state: string; total: number; rss: number; peak: number }
interface PlanMemory { ready: { rss: number; peak: number }; first: PlanStep; second: PlanStep }

export async function benchPlan(options: PlanBenchOptions = defaultPlanBenchOptions): Promise<void> {
  const pg = await startThrowawayPostgres();
  const rows: Array<Array<string | number>> = [];
  try {
    for (const n of options.sizes) {
      const s = scenario(n, false);
      const secretsKey = randomBytes(32);
      const { url, db } = await createBenchDatabase(pg.url, `plan_${n}`);
      await seedPartner(db.db, s, secretsKey);
      await db.close();
      const autotask = createAutotaskSimulator({ fixture: s.demo.autotask, hourlyThreshold: 1_000_000 });
      const passwordboss = createPasswordBossSimulator({ token: 'bench', fixture: s.demo.passwordboss });
      const atUrl = await autotask.app.listen({ host: '127.0.0.1', port: 0 });
      const pbUrl = await passwordboss.app.listen({ host: '127.0.0.1', port: 0 });
      autotask.faults.latencyMs = LATENCY_MS;
      try {
        const config = { databaseUrl: url, partnerId: s.partnerId, zoneLookupUrl: `${atUrl}/atservicesrest/v1.0/zoneInformation`, passwordbossUrl: pbUrl, secretsKeyHex: secretsKey.toString('hex'), trackingIdentifier: s.demo.credentials.trackingIdentifier, now: NOW.toISOString() };
        autotask.faults.log = [];
        const m = await runPlanProcess(config, options.nodeFlags);
        const requests = autotask.faults.log.filter((r) => !/zoneinformation/i.test(r.path)).length;
        const ok = m.first.state === 'planned' && m.second.state === 'planned' && m.second.total === n;
        const step = (r: PlanStep) => [`${r.seconds.toFixed(1)} s`, `${r.rss} → ${r.peak} MB`, `+${r.peak - r.rss} MB`];
        rows.push([n, `${m.ready.rss} MB`, ...step(m.first), ...step(m.second), requests, ok ? 'yes' : 'NO']);
      } finally {
        await autotask.app.close();
        await passwordboss.app.close();
      }
    }
  } finally {
    pg.stop();
  }
  printTable(`Planning alone (no-change runs), ${LATENCY_MS} ms Autotask latency, node ${options.nodeFlags.join(' ')}`, ['N', 'RSS at rest', 'first run', 'RSS → peak', 'added', 'second run', 'RSS → peak', 'added', 'AT req (both)', 'planned all'], rows);
}

function runPlanProcess(config: Record<string, string>, nodeFlags: string[]): Promise<PlanMemory> {
  const script = path.join(projectRoot, 'bench', 'plan-process.ts');
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...WORKER_ENV } });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as PlanMemory);
      else reject(new Error(`the planning process exited (${code}) without its figures: ${out.slice(-500)}`));
    });
  });
}

/**
 * `npm run bench -- floor`: what Temporal alone costs per company on this machine. The product's
 * workflow shape (bench/floor-workflows.ts: a window of children, one local activity each, the
 * same child options) with no database, no Autotask and no Password Boss, against the dev server
 * `npm start` runs, with the worker options `npm run worker` uses. `sync`'s companies/s @0 ms
 * divided by this run's companies/s says how much of the engine's cost is its own work, a figure
 * that depends far less on the machine than companies/s does. Prints one table; asserts nothing.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FloorActivities, FloorChildInput } from './floor-workflows.ts';
import { silentLogger } from './fleet.ts';
import { cpuMs } from './proc-cpu.ts';
import { printTable } from './table.ts';
import { startBenchTemporal } from './temporal-target.ts';
import { workerCapacity } from '../worker/create-worker.ts';

export interface FloorBenchOptions {
  n: number;
  /** Children in flight: partnerSync's default window. */
  window: number;
  /** Measured runs after the first (which creates every child's workflow ID, as a first month does). */
  runs: number;
  /** A child's input size: about what a company's plan weighs in the product (`sync --history-stats`). */
  fillerBytes: number;
}

export const defaultFloorBenchOptions: FloorBenchOptions = { n: 1_000, window: 150, runs: 2, fillerBytes: 700 };


export interface FloorRun {
  /** The first run creates every child's workflow ID; later runs reuse them. */
  reused: boolean;
  seconds: number;
  companiesPerSecond: number;
  temporalCpuMsPerCompany: number;
  workerCpuMsPerCompany: number;
  allDone: boolean;
  /** From the parent's result until Temporal's visibility (the UI's lists) shows no child running. */
  visibilityLagSeconds: number;
}

/** Runs the floor on a fresh dev server: a first run, then `runs` more. */
export async function measureFloor(options: FloorBenchOptions): Promise<FloorRun[]> {
  const workflowsPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'floor-workflows.ts');
  // Preloaded as the product's workflows are (worker/bundle-options.ts): evaluated once per context.
  const bundle = await bundleWorkflowCode({ workflowsPath, preloadModules: [workflowsPath], logger: silentLogger });
  // The dev server needs no PostgreSQL; the URL is only used by the production target.
  const temporal = await startBenchTemporal('dev', 'postgres://unused', 1);
  const taskQueue = 'bench-floor';
  const runs: FloorRun[] = [];
  let nativeConnection: NativeConnection | undefined;
  let connection: Connection | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  try {
    nativeConnection = await NativeConnection.connect({ address: temporal.address });
    const activities: FloorActivities = {
      async floorWork(input: FloorChildInput) {
        return { index: input.index, detail: `company ${input.index}: 1 service set from 10 to 11 units` };
      },
    };
    // `npm run worker`'s capacity and pollers, with this bundle and activity.
    worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle: bundle, activities, ...workerCapacity() });
    running = worker.run();
    connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection });
    for (let run = 0; run <= options.runs; run++) {
      const before = { server: cpuMs(temporal.pids), worker: process.cpuUsage() };
      const started = performance.now();
      const done = await client.workflow.execute('floorParent', { taskQueue, workflowId: `floor-parent/${run}`, args: [{ partnerId: 'floor', n: options.n, window: options.window, fillerBytes: options.fillerBytes }] });
      const seconds = (performance.now() - started) / 1000;
      const workerUsage = process.cpuUsage(before.worker);
      const visibilityLagSeconds = await visibilityCatchUp(client);
      // Counted until visibility caught up, so work the server defers still counts for this run.
      const serverCpu = cpuMs(temporal.pids) - before.server;
      runs.push({
        reused: run > 0,
        seconds,
        companiesPerSecond: options.n / seconds,
        temporalCpuMsPerCompany: serverCpu / options.n,
        workerCpuMsPerCompany: (workerUsage.user + workerUsage.system) / 1000 / options.n,
        allDone: done === options.n,
        visibilityLagSeconds,
      });
    }
  } finally {
    worker?.shutdown();
    await running?.catch(() => {});
    await connection?.close();
    await nativeConnection?.close();
    await temporal.stop();
  }
  return runs;
}

export async function benchFloor(options: FloorBenchOptions = defaultFloorBenchOptions): Promise<void> {
  const runs = await measureFloor(options);
  printTable(
    `Temporal's floor: ${options.window} children in flight, one local activity each, no I/O (2 cores); Temporal dev server (SQLite file, WAL)`,
    ['run', 'N', 'time', 'companies/s', 'Temporal CPU ms/company', 'worker CPU ms/company', 'visibility caught up after', 'all done'],
    runs.map((r, i) => [
      r.reused ? `again (IDs reused) #${i}` : 'first (creates the IDs)',
      options.n,
      `${r.seconds.toFixed(1)} s`,
      r.companiesPerSecond.toFixed(0),
      r.temporalCpuMsPerCompany.toFixed(1),
      r.workerCpuMsPerCompany.toFixed(1),
      `${r.visibilityLagSeconds.toFixed(1)} s`,
      r.allDone ? 'yes' : 'NO',
    ])
  );
}

/**
 * Seconds until the Temporal UI's lists stop showing a finished run's children as running: the
 * dev server writes visibility records from a queue of its own, behind the workflows themselves.
 */
async function visibilityCatchUp(client: Client): Promise<number> {
  const started = performance.now();
  for (;;) {
    const { count } = await client.workflow.count(`WorkflowType = 'floorChild' AND ExecutionStatus = 'Running'`);
    if (count === 0) return (performance.now() - started) / 1000;
    if (performance.now() - started > 120_000) throw new Error(`visibility still shows ${count} children running two minutes after the run`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

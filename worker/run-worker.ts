/** The worker as a running part of a process: connected (retrying until Temporal answers), polling, stoppable. */
import type { Worker } from '@temporalio/worker';
import type { Env } from '../config/env.ts';
import type { Deps } from '../deps/deps.ts';
import type { Logger } from '../runtime/logger.ts';
import { freePort } from '../runtime/free-port.ts';
import { connectWorkerWithRetry, type TemporalTarget } from '../runtime/temporal-connection.ts';
import type { Tracing } from '../runtime/tracing.ts';
import { createSyncWorker } from './create-worker.ts';
import { serveWorkerMetrics, type MetricsServer } from './metrics-server.ts';
import { installWorkerRuntime } from './runtime-telemetry.ts';

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after shutdown()). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export async function runWorker(options: {
  env: Env;
  temporal: TemporalTarget;
  deps: Deps;
  logger: Logger;
  workflowBundlePath?: string;
  tracing?: Tracing | undefined;
}): Promise<RunningWorker> {
  const log = options.logger.child({ component: 'worker' });
  const metricsPort = options.env.METRICS_PORT;
  // The SDK's exporter listens on a private loopback port; the METRICS_PORT server passes it on.
  const sdkMetricsAddress = metricsPort ? `127.0.0.1:${await freePort('127.0.0.1')}` : undefined;
  installWorkerRuntime({ logger: options.logger, sdkMetricsAddress });
  let metrics: MetricsServer | undefined;
  if (metricsPort) {
    metrics = await serveWorkerMetrics({ host: options.env.METRICS_HOST, port: metricsPort, sdkMetricsUrl: `http://${sdkMetricsAddress}/metrics`, onError: (line) => log.warn(line) });
    log.info({ url: metrics.url }, 'worker metrics served');
  }
  const connection = await connectWorkerWithRetry(options.temporal, (line) => log.warn(line));
  const worker = await createSyncWorker({
    connection,
    namespace: options.temporal.namespace,
    taskQueue: options.env.TEMPORAL_TASK_QUEUE,
    deps: options.deps,
    workflowBundlePath: options.workflowBundlePath,
    tracing: options.tracing,
    capacity: {
      maxConcurrentActivities: options.env.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentLocalActivities: options.env.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
      maxConcurrentWorkflowTasks: options.env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxCachedWorkflows: options.env.WORKER_MAX_CACHED_WORKFLOWS,
    },
  });
  const done = worker.run().finally(async () => {
    await connection.close();
    await metrics?.close();
  });
  log.info({ taskQueue: options.env.TEMPORAL_TASK_QUEUE }, 'worker polling');
  return {
    worker,
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/** The worker as a running part of a process: connected (retrying until Temporal answers), polling, stoppable. */
import type { Worker } from '@temporalio/worker';
import type { Env } from '../config/env.ts';
import type { Deps } from '../deps/deps.ts';
import type { Logger } from '../runtime/logger.ts';
import { connectWorkerWithRetry, type TemporalTarget } from '../runtime/temporal-connection.ts';
import { createSyncWorker } from './create-worker.ts';

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
}): Promise<RunningWorker> {
  const log = options.logger.child({ component: 'worker' });
  const connection = await connectWorkerWithRetry(options.temporal, (line) => log.warn(line));
  const worker = await createSyncWorker({
    connection,
    namespace: options.temporal.namespace,
    taskQueue: options.env.TEMPORAL_TASK_QUEUE,
    deps: options.deps,
    workflowBundlePath: options.workflowBundlePath,
    capacity: {
      maxConcurrentActivities: options.env.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentLocalActivities: options.env.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
      maxConcurrentWorkflowTasks: options.env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxCachedWorkflows: options.env.WORKER_MAX_CACHED_WORKFLOWS,
    },
  });
  const done = worker.run().finally(() => connection.close());
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

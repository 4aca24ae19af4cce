/**
 * The worker on task queue `pb-autotask-sync` (configurable for tests). Its shutdown grace time
 * lets an in-flight Autotask write finish and report instead of being cut off (default is 0).
 */
import { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import type { Deps } from '../deps/deps.ts';
import { workflowOpenCheck } from '../deps/workflow-open.ts';
import { bundleOptions } from './bundle-options.ts';

export interface SyncWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: Deps;
  /** A prebuilt bundle (tests, production); else workflows are bundled at start. */
  workflowBundlePath?: string | undefined;
  shutdownGraceTime?: string;
  /** WORKER_MAX_* (config/env.ts); unset, the defaults there. */
  capacity?: { maxConcurrentActivities: number; maxConcurrentLocalActivities: number; maxConcurrentWorkflowTasks: number; maxCachedWorkflows: number };
}

export async function createSyncWorker(options: SyncWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: bundleOptions.workflowsPath, bundlerOptions: { preloadModules: bundleOptions.preloadModules, webpackConfigHook: bundleOptions.webpackConfigHook } }),
    // The run lease asks Temporal whether the run holding it is still open, over this worker's connection.
    activities: createActivities({ ...options.deps, isWorkflowOpen: options.deps.isWorkflowOpen ?? workflowOpenCheck(new Client({ connection: options.connection, namespace: options.namespace })) }),
    shutdownGraceTime: options.shutdownGraceTime ?? '20 seconds',
    shutdownForceTime: '40 seconds',
    maxConcurrentActivityTaskExecutions: options.capacity?.maxConcurrentActivities ?? 200,
    maxConcurrentLocalActivityExecutions: options.capacity?.maxConcurrentLocalActivities ?? 100,
    maxConcurrentWorkflowTaskExecutions: options.capacity?.maxConcurrentWorkflowTasks ?? 100,
    maxCachedWorkflows: options.capacity?.maxCachedWorkflows ?? 100,
    // A company's workflow runs in one workflow task, taken from the normal queue, not the sticky
    // one; the default ratio (0.2) left most pollers waiting on the sticky queue instead.
    nonStickyToStickyPollRatio: 1,
  });
}

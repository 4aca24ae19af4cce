/**
 * The worker on task queue `pb-autotask-sync` (configurable for tests). Its shutdown grace time
 * lets an in-flight Autotask write finish and report instead of being cut off (default is 0).
 */
import { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import type { Deps } from '../deps/deps.ts';
import { workflowOpenCheck } from '../deps/workflow-open.ts';
import type { Context as ActivityContext } from '@temporalio/activity';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/worker/index.js';
import type { Tracing } from '../runtime/tracing.ts';
import { activityInterceptors } from './activity-interceptors.ts';
import { workflowSpanSinks } from './workflow-spans.ts';
import { bundleOptions } from './bundle-options.ts';

export interface SyncWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: Deps;
  /** A prebuilt bundle (tests, production); else workflows are bundled at start. */
  workflowBundlePath?: string | undefined;
  shutdownGraceTime?: string;
  /** OpenTelemetry, when on (runtime/tracing.ts). */
  tracing?: Tracing | undefined;
  /** WORKER_MAX_* (config/env.ts); unset, the defaults there. */
  capacity?: { maxConcurrentActivities: number; maxConcurrentLocalActivities: number; maxConcurrentWorkflowTasks: number; maxCachedWorkflows: number };
}

export async function createSyncWorker(options: SyncWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: bundleOptions.workflowsPath, bundlerOptions: { preloadModules: bundleOptions.preloadModules, webpackConfigHook: bundleOptions.webpackConfigHook } }),
    interceptors: {
      // A prebuilt bundle has them already (bundle-options.ts); when bundling here, they are added.
      ...(options.workflowBundlePath ? {} : { workflowModules: bundleOptions.workflowInterceptorModules }),
      activity: [
        activityInterceptors,
        // Only with tracing on: an activity span per attempt, the parent of its HTTP calls' spans.
        ...(options.tracing ? [(ctx: ActivityContext) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })] : []),
      ],
    },
    sinks: workflowSpanSinks(options.tracing),
    // The run lease asks Temporal whether the run holding it is still open, over this worker's connection.
    activities: createActivities({ ...options.deps, isWorkflowOpen: options.deps.isWorkflowOpen ?? workflowOpenCheck(new Client({ connection: options.connection, namespace: options.namespace })) }),
    shutdownGraceTime: options.shutdownGraceTime ?? '20 seconds',
    shutdownForceTime: '40 seconds',
    ...workerCapacity(options.capacity),
  });
}

/** Slots, cache and pollers: the sync worker's, and the floor benchmark's (bench/floor.ts). */
export function workerCapacity(capacity?: SyncWorkerOptions['capacity']) {
  return {
    maxConcurrentActivityTaskExecutions: capacity?.maxConcurrentActivities ?? 200,
    maxConcurrentLocalActivityExecutions: capacity?.maxConcurrentLocalActivities ?? 300,
    maxConcurrentWorkflowTaskExecutions: capacity?.maxConcurrentWorkflowTasks ?? 100,
    maxCachedWorkflows: capacity?.maxCachedWorkflows ?? 1000,
    // A company's workflow runs in one workflow task, taken from the normal queue, not the sticky
    // one; the default ratio (0.2) left most pollers waiting on the sticky queue instead.
    nonStickyToStickyPollRatio: 1,
  };
}

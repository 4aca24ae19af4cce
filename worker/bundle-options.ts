/**
 * How the workflow bundle is built, in one place for the worker, the tests' prebuilt bundle and
 * the benchmarks.
 */
import path from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

const workflowsDir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'workflows');
export const workflowsPath = path.join(workflowsDir, 'index.ts');
/** Log attributes and (for traced starts only) OpenTelemetry: worker/workflow-interceptors.ts. */
export const workflowInterceptorModules = [path.join(path.dirname(new URL(import.meta.url).pathname), 'workflow-interceptors.ts')];

export const bundleOptions = {
  workflowsPath,
  // Evaluated once per V8 context instead of once per workflow execution: zod's module setup was
  // the largest share of the worker's CPU per child workflow. The workflows and the interceptors
  // keep no state at module level (a run's state lives in its function's closure), so they are
  // shared too: evaluating them afresh cost every child workflow about 1 ms of the workflow thread.
  preloadModules: [path.join(workflowsDir, 'shared-modules.ts'), workflowsPath, ...workflowInterceptorModules],
  workflowInterceptorModules,
  webpackConfigHook: (config) => ({
    ...config,
    // zod declares itself free of side effects, so webpack would drop an import whose exports are
    // unused — including the preload itself (the SDK's entry ignores what preload requires return).
    optimization: { ...config.optimization, sideEffects: false },
    // The SDK needs an inline source map; one without the sources' text, mapping lines only, still
    // points stack traces at our TypeScript and saves the worker about 40 MB.
    devtool: 'inline-nosources-cheap-module-source-map',
  }),
} satisfies Omit<BundleOptions, 'logger'>;

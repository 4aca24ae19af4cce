/**
 * How the workflow bundle is built, in one place for the worker, the tests' prebuilt bundle and
 * the benchmarks.
 */
import path from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

const workflowsDir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'workflows');
export const workflowsPath = path.join(workflowsDir, 'index.ts');

export const bundleOptions = {
  workflowsPath,
  // Evaluated once per V8 context instead of once per workflow execution: zod's module setup was
  // the largest share of the worker's CPU per child workflow.
  preloadModules: [path.join(workflowsDir, 'shared-modules.ts')],
  // zod declares itself free of side effects, so webpack would drop an import whose exports are
  // unused — including the preload itself (the SDK's entry ignores what preload requires return).
  webpackConfigHook: (config) => ({ ...config, optimization: { ...config.optimization, sideEffects: false } }),
} satisfies Omit<BundleOptions, 'logger'>;

/**
 * Starts the real services once for the whole run: a Temporal dev server (in memory, search
 * attributes registered), PostgreSQL (TEST_DATABASE_URL or a throw-away cluster), and one
 * prebuilt workflow bundle the test workers share. With TEST_TEMPORAL_ADDRESS set, the tests use
 * that Temporal server instead (namespace `default`, search attributes registered): CI runs the
 * deployment tests a second time on the production server that way (`npm run test:deployment`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleWorkflowCode } from '@temporalio/worker';
import { resolveTemporalCli, projectRoot } from '../runtime/temporal-cli.ts';
import { startTemporalDevServer } from '../runtime/temporal-dev-server.ts';
import { bundleOptions } from '../worker/bundle-options.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.ts';
import { ensureChromium } from './support/chromium.ts';
import { startThrowawayPostgres } from './support/throwaway-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    postgresUrl: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  ensureChromium();
  const [temporal, postgres, bundle] = await Promise.all([
    process.env.TEST_TEMPORAL_ADDRESS
      ? Promise.resolve({ address: process.env.TEST_TEMPORAL_ADDRESS, async stop() {} })
      : startTemporalDevServer({ binary: resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH }), searchAttributes: SEARCH_ATTRIBUTES, ui: false, port: 0 }),
    process.env.TEST_DATABASE_URL ? Promise.resolve({ url: process.env.TEST_DATABASE_URL, stop() {} }) : startThrowawayPostgres(),
    bundleWorkflowCode({ ...bundleOptions, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error(m: string) { process.stderr.write(`${m}\n`); } } }),
  ]);
  const bundleDir = path.join(projectRoot, '.data', 'test');
  mkdirSync(bundleDir, { recursive: true });
  const workflowBundlePath = path.join(bundleDir, `workflow-bundle-${process.pid}.js`);
  writeFileSync(workflowBundlePath, bundle.code);
  project.provide('temporalAddress', temporal.address);
  project.provide('postgresUrl', postgres.url);
  project.provide('workflowBundlePath', workflowBundlePath);
  process.stderr.write(`test services ready in ${Date.now() - started} ms (Temporal ${temporal.address}${process.env.TEST_TEMPORAL_ADDRESS ? ' from TEST_TEMPORAL_ADDRESS' : ' dev server'}, PostgreSQL ${postgres.url})\n`);
  return async () => {
    await temporal.stop();
    postgres.stop();
  };
}

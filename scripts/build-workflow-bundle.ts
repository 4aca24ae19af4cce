/**
 * `npm run build:workflows [-- out.js]`: bundles the workflows once (at image build), so a worker
 * given WORKFLOW_BUNDLE_PATH starts without webpack — faster, and without the bundler's memory
 * peak under the worker's 256 MB heap limit. Same options as the worker and the tests use.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { bundleOptions } from '../worker/bundle-options.ts';

const out = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
const quiet = () => {};
const { code } = await bundleWorkflowCode({
  ...bundleOptions,
  logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: (m: string) => process.stderr.write(`${m}\n`), error: (m: string) => process.stderr.write(`${m}\n`) },
});
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, code);
process.stdout.write(`workflow bundle: ${out} (${Math.round(code.length / 1024)} kB)\n`);

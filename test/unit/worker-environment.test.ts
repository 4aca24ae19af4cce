/**
 * The worker runs with two glibc malloc arenas however it is started (issue 15's memory bound:
 * bench/README.md, "Worker memory"): the image's worker stage, `npm run worker`, and the
 * benchmarks' worker process, which must measure what production runs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKER_ENV } from '../../bench/fleet.ts';
import { readStages, stageEnv } from '../support/dockerfile.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

describe('the worker\'s malloc arenas', () => {
  it('are two in the image, under npm run worker and in the benchmarks', () => {
    expect(stageEnv(readStages(), 'worker').MALLOC_ARENA_MAX).toBe('2');
    const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    // A value the environment sets wins; unset, two.
    expect(scripts.worker).toMatch(/^MALLOC_ARENA_MAX=\$\{MALLOC_ARENA_MAX:-2\} node /);
    expect(WORKER_ENV.MALLOC_ARENA_MAX).toBe(process.env.MALLOC_ARENA_MAX ?? '2');
  });
});

/**
 * The worker's liveness signal for container runtimes: it has no HTTP port, so while its Temporal
 * worker runs (or drains) it rewrites a small file every few seconds, and the image's health
 * check (scripts/healthcheck.mjs) calls it unhealthy when the file is missing or stale. A stale
 * file means a blocked event loop or a worker that stopped without the process exiting.
 */
import { rmSync, writeFileSync } from 'node:fs';

/** States in which the worker still does its job: polling, or finishing what it holds. */
const alive = new Set(['RUNNING', 'STOPPING', 'DRAINING', 'DRAINED']);

export interface HealthSource {
  getState(): string;
}

/** Keeps `file` fresh while `worker` is alive; the returned function stops and removes it. */
export function keepHealthFile(file: string, worker: HealthSource, everyMs = 5_000): () => void {
  const beat = () => {
    if (alive.has(worker.getState())) writeFileSync(file, `${new Date().toISOString()}\n`);
    else rmSync(file, { force: true });
  };
  beat();
  const timer = setInterval(beat, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    rmSync(file, { force: true });
  };
}

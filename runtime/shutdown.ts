/**
 * One owner for SIGINT/SIGTERM per process: the Temporal Runtime is told to leave signals alone
 * (`shutdownSignals: []`, where the worker installs it: worker/runtime-telemetry.ts) and every
 * component registers an ordered close step here instead.
 */

let installed = false;

/** Marks this process as owning its signals; `onShutdown` then decides what a signal does. */
export function takeOverSignals(): void {
  if (installed) return;
  installed = true;
  // Until onShutdown registers its handler, SIGTERM keeps Node's default (exit), which is right:
  // nothing has started that needs draining.
}

export function onShutdown(steps: Array<() => Promise<void>>, log: (line: string) => void): void {
  let closingSince = 0;
  const handler = (signal: NodeJS.Signals) => {
    // tsx and npm relay the same signal, so a repeat within 2 s is one request, not two.
    if (closingSince && Date.now() - closingSince < 2_000) return;
    if (closingSince) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    closingSince = Date.now();
    log(`${signal}: shutting down`);
    const force = setTimeout(() => {
      log('shutdown took longer than 45 s; exiting');
      process.exit(1);
    }, 45_000);
    force.unref();
    (async () => {
      for (const step of steps) {
        try {
          await step();
        } catch (err) {
          log(`shutdown step failed: ${(err as Error).message}`);
        }
      }
      process.exit(0);
    })().catch(() => process.exit(1));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  // `npm start` runs us under `sh -c`, which dies on SIGTERM without passing it on. When the
  // parent goes away we are re-parented, and treat that as the request to stop.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) handler('SIGTERM');
  }, 500).unref();
}

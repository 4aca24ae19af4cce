/**
 * At most 3 requests in flight per (tenant and tracking identifier, endpoint): Autotask's thread
 * limit, counted per that pair in one tenant's database and shared with every other integration
 * of the MSP. The tenant is part of the key because partners usually share the tracking
 * identifier (the service's vendor code): keyed by the identifier alone, one partner's long run
 * took every slot and every other partner waited behind it.
 *
 * Two layers. A semaphore in this process queues its own callers, so at most 3 of them compete
 * for the shared slots at once. With several worker processes, `SharedSlots` (a lease table in
 * PostgreSQL, deps/autotask-slots.ts) makes the limit hold across all of them (docs/design.md
 * rule 10); without it (one process on PGlite, tests, benchmarks) the semaphore is the limit.
 */
import { IntegrationError } from '../errors.ts';

/** A slot of a scope held until `release` is called; shared by every process that uses the same store. */
export interface SharedSlots {
  /** Waits for one of `limit` slots of `scope`; rejects only if the store fails or `signal` aborts. */
  acquire(scope: string, limit: number, signal?: AbortSignal): Promise<() => Promise<void>>;
}

class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

const semaphores = new Map<string, Semaphore>();
export const AUTOTASK_THREADS_PER_ENDPOINT = 3;

/** `scope`: the tenant (zone `ci`, else its URL) and the tracking identifier, e.g. `29683|PBAUTOTASK…`. */
export function limited<T>(scope: string, endpoint: string, fn: () => Promise<T>, shared?: SharedSlots, signal?: AbortSignal): Promise<T> {
  const key = `${scope}|${endpoint.toLowerCase()}`;
  let semaphore = semaphores.get(key);
  if (!semaphore) {
    semaphore = new Semaphore(AUTOTASK_THREADS_PER_ENDPOINT);
    semaphores.set(key, semaphore);
  }
  if (!shared) return semaphore.run(fn);
  return semaphore.run(async () => {
    let release: () => Promise<void>;
    try {
      release = await shared.acquire(key, AUTOTASK_THREADS_PER_ENDPOINT, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      // Nothing was sent: retrying later is safe.
      throw new IntegrationError('autotask', 'unavailable', `could not take one of the ${AUTOTASK_THREADS_PER_ENDPOINT} Autotask request slots the workers share (${(err as Error).message}); nothing was sent to Autotask and the sync retries automatically — check that the database is reachable`);
    }
    try {
      return await fn();
    } finally {
      // A release that fails leaves the slot to expire on its own (seconds); the answer stands.
      await release().catch(() => {});
    }
  });
}

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
 * A slot taken from the store passes from one caller of this process to the next queued one
 * (up to SLOT_HANDOVERS in a row), not back through the store.
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

  /** Callers queued behind the ones running. */
  get queued(): number {
    return this.waiting.length;
  }

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

/** A shared slot this process holds, and how many callers in a row it has served. */
interface HeldSlot {
  release: () => Promise<void>;
  served: number;
}

/**
 * Callers in a row one shared slot serves before it goes back to the store. Handing a slot
 * straight to the next queued caller of this process saves the two statements a take and a
 * release cost per request; the cap gives other processes polling for the slot their turn
 * (at 50 ms a request, a slot returns about every half second).
 */
export const SLOT_HANDOVERS = 8;

interface Scope {
  semaphore: Semaphore;
  /** Slots a finishing caller left for the queued caller it woke. */
  handedOver: HeldSlot[];
}

const scopes = new Map<string, Scope>();
export const AUTOTASK_THREADS_PER_ENDPOINT = 3;

/** `scope`: the tenant (zone `ci`, else its URL) and the tracking identifier, e.g. `29683|PBAUTOTASK…`. */
export function limited<T>(scope: string, endpoint: string, fn: () => Promise<T>, shared?: SharedSlots, signal?: AbortSignal): Promise<T> {
  const key = `${scope}|${endpoint.toLowerCase()}`;
  let state = scopes.get(key);
  if (!state) {
    state = { semaphore: new Semaphore(AUTOTASK_THREADS_PER_ENDPOINT), handedOver: [] };
    scopes.set(key, state);
  }
  const { semaphore, handedOver } = state;
  if (!shared) return semaphore.run(fn);
  return semaphore.run(async () => {
    let held = handedOver.pop();
    if (!held) {
      try {
        held = { release: await shared.acquire(key, AUTOTASK_THREADS_PER_ENDPOINT, signal), served: 0 };
      } catch (err) {
        if (signal?.aborted) throw err;
        // Nothing was sent: retrying later is safe.
        throw new IntegrationError('autotask', 'unavailable', `could not take one of the ${AUTOTASK_THREADS_PER_ENDPOINT} Autotask request slots the workers share (${(err as Error).message}); nothing was sent to Autotask and the sync retries automatically — check that the database is reachable`);
      }
    }
    try {
      return await fn();
    } finally {
      held.served++;
      // The semaphore wakes one queued caller as this one leaves: it takes the slot as it is.
      if (semaphore.queued > 0 && held.served < SLOT_HANDOVERS) handedOver.push(held);
      // A release that fails leaves the slot to expire on its own (seconds); the answer stands.
      else await held.release().catch(() => {});
    }
  });
}

/**
 * Autotask's thread limit across every worker and API process that shares the PostgreSQL
 * database (docs/design.md rule 10): a request takes one of the scope's 3 slot rows before it is
 * sent and frees it when the answer is in. The lease is renewed while the request waits, so a
 * slow answer keeps its slot, and a process killed mid-request (SIGKILL, a lost machine) frees it
 * when its lease runs out, `leaseMs` after the last renewal.
 *
 * A caller finding every slot held polls with a short, growing, jittered pause: each process lets
 * at most 3 callers per scope poll (its in-process semaphore queues the rest), so the database
 * sees a few cheap statements a second per waiting scope.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { releaseSlot, renewSlot, seedSlots, takeSlot } from '../db/repositories/autotask-slots.ts';
import type { SharedSlots } from '../integrations/autotask/limiter.ts';

export interface SlotOptions {
  /** How long a slot stays held without renewal: the wait after a holder dies. */
  leaseMs?: number;
  /** The longest pause between two tries while every slot is held. */
  maxPollMs?: number;
}

export const DEFAULT_SLOT_LEASE_MS = 15_000;

export function sharedSlotsIn(db: Db, options: SlotOptions = {}): SharedSlots {
  const leaseMs = options.leaseMs ?? DEFAULT_SLOT_LEASE_MS;
  const maxPollMs = options.maxPollMs ?? 25;
  const seeded = new Set<string>();
  return {
    async acquire(scope, limit, signal) {
      if (!seeded.has(scope)) {
        await seedSlots(db, scope, limit);
        seeded.add(scope);
      }
      const holder = randomUUID();
      let pause = 2;
      let slot: number | undefined;
      for (;;) {
        signal?.throwIfAborted();
        slot = await takeSlot(db, scope, limit, holder, leaseMs);
        if (slot !== undefined) break;
        await delay(pause / 2 + Math.random() * pause, signal);
        pause = Math.min(pause * 2, maxPollMs);
      }
      const taken = slot;
      // A failed renewal is retried at the next tick; the lease outlasts two missed ones.
      const timer = setInterval(() => void renewSlot(db, scope, taken, holder, leaseMs).catch(() => {}), Math.max(10, Math.floor(leaseMs / 3)));
      timer.unref();
      return async () => {
        clearInterval(timer);
        await releaseSlot(db, scope, taken, holder);
      };
    },
  };
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The shared Autotask slots (docs/design.md rule 10) pass from one caller of a process to the
 * next queued one instead of going back through the store: fewer statements per request, the
 * same limit, every slot back in the store once the queue drains, and a slot returned after
 * SLOT_HANDOVERS callers in a row so other processes get their turn.
 */
import { describe, expect, it } from 'vitest';
import { AUTOTASK_THREADS_PER_ENDPOINT, limited, SLOT_HANDOVERS, type SharedSlots } from '../../integrations/autotask/limiter.ts';

/** A store of `limit` slots per scope in memory, counting takes and releases. */
function countingSlots() {
  const held = new Map<string, number>();
  const stats = { acquired: 0, released: 0, peak: 0 };
  const slots: SharedSlots = {
    async acquire(scope, limit) {
      while ((held.get(scope) ?? 0) >= limit) await new Promise((r) => setTimeout(r, 1));
      held.set(scope, (held.get(scope) ?? 0) + 1);
      stats.acquired++;
      stats.peak = Math.max(stats.peak, held.get(scope)!);
      return async () => {
        held.set(scope, held.get(scope)! - 1);
        stats.released++;
      };
    },
  };
  return { slots, stats, held: (scope: string) => held.get(scope) ?? 0 };
}

const tick = () => new Promise((r) => setTimeout(r, 2));

describe('Autotask slots handed over inside a process', () => {
  it('serves a queue with fewer takes than requests, never more than 3 in flight, and returns every slot', async () => {
    const { slots, stats, held } = countingSlots();
    let inFlight = 0;
    let peak = 0;
    const request = () =>
      limited('tenant-h1|CODE', 'ContractServiceAdjustments', async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await tick();
        inFlight--;
      }, slots);
    await Promise.all(Array.from({ length: 30 }, request));
    expect(peak).toBe(AUTOTASK_THREADS_PER_ENDPOINT);
    expect(stats.peak).toBeLessThanOrEqual(AUTOTASK_THREADS_PER_ENDPOINT);
    expect(stats.acquired).toBeLessThan(30);
    expect(stats.released).toBe(stats.acquired);
    expect(held('tenant-h1|CODE|contractserviceadjustments')).toBe(0);
  });

  it('returns a slot to the store after SLOT_HANDOVERS callers in a row', async () => {
    const { slots, stats } = countingSlots();
    const requests = 3 * SLOT_HANDOVERS * 4;
    await Promise.all(Array.from({ length: requests }, () => limited('tenant-h2|CODE', 'Contracts', tick, slots)));
    // Each take serves at most SLOT_HANDOVERS callers.
    expect(stats.acquired).toBeGreaterThanOrEqual(requests / SLOT_HANDOVERS);
    expect(stats.released).toBe(stats.acquired);
  });

  it('hands over only within a scope and endpoint', async () => {
    const { slots, stats } = countingSlots();
    // One caller per key: nobody queues, so each takes and releases its own slot.
    await Promise.all(['Contracts', 'ContractServices', 'ContractServiceAdjustments'].map((endpoint) => limited('tenant-h3|CODE', endpoint, tick, slots)));
    expect(stats.acquired).toBe(3);
    expect(stats.released).toBe(3);
  });

  it('releases the slot when the request fails, and the next caller still gets one', async () => {
    const { slots, stats, held } = countingSlots();
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => limited('tenant-h4|CODE', 'Contracts', async () => {
      await tick();
      if (i % 3 === 0) throw new Error('refused');
      return i;
    }, slots)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(6);
    expect(stats.released).toBe(stats.acquired);
    expect(held('tenant-h4|CODE|contracts')).toBe(0);
  });
});

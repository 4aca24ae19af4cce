/**
 * When a batch of confirming reads goes out (issue 15: requests per changed service): at its
 * target size at once, otherwise after the longest wait, or after a real quiet. A fake client
 * records the batches; fake timers stand for the writes' round trips. What each write reads back,
 * and rule 8 through a batch, are in test/integration/confirm-reads.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AutotaskClient } from '../../integrations/autotask/client.ts';
import { ConfirmReads, type ConfirmReadsOptions } from '../../integrations/autotask/confirm-reads.ts';

const DATE = '2026-11-01';

function harness(options: ConfirmReadsOptions) {
  const batches: number[][] = [];
  const client = {
    async unitsOfPairs(pairs: Array<{ contractId: number; serviceId: number }>) {
      batches.push(pairs.map((p) => p.contractId));
      return new Map(pairs.map((p) => [`${p.contractId}:${p.serviceId}`, { units: p.contractId, unitPrice: null }]));
    },
  } as unknown as AutotaskClient;
  const reads = new ConfirmReads(options);
  /** A write announced now whose read arrives `postMs` later (its adjustment's round trip). */
  const write = (contractId: number, postMs: number) => {
    const ticket = reads.announce('partner', client, DATE);
    return new Promise<number>((resolve, reject) => {
      setTimeout(() => ticket.read(contractId, 301).then((u) => resolve(u.units), reject), postMs);
    });
  };
  return { batches, write };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('confirm batches', () => {
  it('go at their target size without waiting, and each write reads its own pair', async () => {
    const { batches, write } = harness({ targetContracts: 4, maxWaitMs: 10_000, lingerMs: 10_000 });
    // Eight writes in flight, reads arriving 10 ms apart: two full batches, long before any timer.
    const done = Array.from({ length: 8 }, (_, i) => write(100 + i, 10 * (i + 1)));
    await vi.advanceTimersByTimeAsync(80);
    expect(batches).toEqual([[100, 101, 102, 103], [104, 105, 106, 107]]);
    expect(await Promise.all(done)).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
  });

  it('wait up to the longest wait for a slow run, then go with what arrived', async () => {
    const { batches, write } = harness({ targetContracts: 100, maxWaitMs: 1_000, lingerMs: 300 });
    // A read every 100 ms with another write always on its way: neither target nor quiet.
    const done = Array.from({ length: 15 }, (_, i) => write(i + 1, 100 * (i + 1)));
    await vi.advanceTimersByTimeAsync(1_099);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]);
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all(done);
    expect(batches).toHaveLength(2);
  });

  it('are not split while companies keep coming, each pause shorter than the linger', async () => {
    const { batches, write } = harness({ targetContracts: 100, maxWaitMs: 10_000, lingerMs: 150 });
    // A slow engine: one company every 100 ms, its write done in 10 ms, so nothing is on its way
    // 90 ms out of 100. Each read starts the linger again: one batch once they stop.
    const done: Array<Promise<number>> = [];
    for (let i = 1; i <= 6; i++) {
      done.push(write(i, 10));
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(done);
    expect(batches).toEqual([[1, 2, 3, 4, 5, 6]]);
  });

  it('go the linger after the last read once nothing is on its way (a run\'s tail, a lone write)', async () => {
    const { batches, write } = harness({ targetContracts: 100, maxWaitMs: 10_000, lingerMs: 300 });
    const done = [write(1, 10), write(2, 50)];
    await vi.advanceTimersByTimeAsync(50 + 299);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1, 2]]);
    await Promise.all(done);
  });

  it('never go past Autotask\'s 500 a query, whatever the target', async () => {
    const { batches, write } = harness({ targetContracts: 1_000, maxContracts: 3, maxWaitMs: 10_000, lingerMs: 10_000 });
    const done = Array.from({ length: 7 }, (_, i) => write(i + 1, 1));
    await vi.advanceTimersByTimeAsync(10_001);
    await Promise.all(done);
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });
});

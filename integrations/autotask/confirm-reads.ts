/**
 * Confirming reads gathered across the companies one worker is syncing (issue 15). Every
 * adjustment is confirmed by reading its units back; one read per adjustment doubled what a run
 * costs against the MSP's hourly Autotask budget. Here the reads of concurrent writes wait
 * together and go out as one batched query (≤ 500 contracts a query, `unitsOfPairs`), and each
 * caller gets its own pair's units.
 *
 * When a batch goes out: when it holds `targetContracts` (or Autotask's `maxContracts`); when
 * its first read has waited `maxWaitMs`; or `lingerMs` after its last read arrived, if no
 * announced write is on its way to its read by then (so a lone write, or a run's last, is barely
 * held back, while a pause of the engine between two companies' writes does not split a batch).
 *
 * Why a target and a longer wait rather than one timer: a batch per timer tick made the request
 * count follow the engine's speed (a run of 1,000 at 34 companies/s sent 47 batches of ~21 at
 * 500 ms). With a target, a fast run sends full batches as soon as they fill (no longer held than
 * before), and a slow one waits up to `maxWaitMs` for them; either way about N ÷ target batches.
 *
 * Rule 8 is untouched: a batch read that fails fails each of its callers exactly as their own
 * read would have, after their adjustment was posted, and the claim already says so; the retry
 * re-reads, it never posts again.
 */
import type { AutotaskClient } from './client.ts';

export interface ServiceUnits {
  units: number;
  unitPrice: number | null;
}

/** One write's place in a batch: read once after its adjustment, or withdraw when none was posted. */
export interface ConfirmTicket {
  read(contractId: number, serviceId: number, signal?: AbortSignal): Promise<ServiceUnits>;
  /** No read will follow (the post failed); safe to call after `read` too. */
  withdraw(): void;
}

export interface ConfirmReadsOptions {
  /** Contracts per batch at most: Autotask's `in` takes 500 values. */
  maxContracts?: number;
  /** A batch holding this many contracts goes at once: enough that a run costs ~1/target extra requests per change. */
  targetContracts?: number;
  /** The longest a read waits for others to join it. */
  maxWaitMs?: number;
  /** How long after its last read a batch waits for another, once no announced write is on its way. */
  lingerMs?: number;
}

interface Waiter {
  client: AutotaskClient;
  contractId: number;
  serviceId: number;
  resolve(units: ServiceUnits): void;
  reject(err: unknown): void;
}

interface Gathering {
  date: string;
  /** Writes announced whose read has not arrived yet. */
  announced: number;
  waiters: Waiter[];
  contracts: Set<number>;
  timer: NodeJS.Timeout | undefined;
  linger: NodeJS.Timeout | undefined;
}

/**
 * 32 contracts: ~1.03 requests per changed service. At Autotask's 3 writes in flight and 50 ms a
 * request (60 adjustments a second) a batch fills in ~0.5 s, what a read waited before.
 */
export const CONFIRM_TARGET_CONTRACTS = 32;
/** The most a read waits for the batch to fill: bounds what a slow run's companies wait. */
export const CONFIRM_WAIT_MS = 1_000;
/** Longer than the engine's usual pauses between two companies' writes in a busy run; short next to a run. */
export const CONFIRM_LINGER_MS = 300;

export class ConfirmReads {
  private readonly gatherings = new Map<string, Gathering>();
  private readonly maxContracts: number;
  private readonly targetContracts: number;
  private readonly maxWaitMs: number;
  private readonly lingerMs: number;

  constructor(options: ConfirmReadsOptions = {}) {
    this.maxContracts = options.maxContracts ?? 500;
    this.targetContracts = Math.min(options.targetContracts ?? CONFIRM_TARGET_CONTRACTS, this.maxContracts);
    this.maxWaitMs = options.maxWaitMs ?? CONFIRM_WAIT_MS;
    this.lingerMs = options.lingerMs ?? CONFIRM_LINGER_MS;
  }

  /**
   * Announces a write about to be posted. `scope` names whose credentials the reads may share (the
   * partner): a batch is sent with the client of its first read, so different scopes never mix.
   */
  announce(scope: string, client: AutotaskClient, date: string): ConfirmTicket {
    const key = `${scope}|${date}`;
    const gathering = this.gathering(key, date);
    gathering.announced++;
    let open = true;
    const leave = () => {
      if (!open) return false;
      open = false;
      const current = this.gatherings.get(key);
      if (current) {
        current.announced--;
        return true;
      }
      return false;
    };
    return {
      read: (contractId, serviceId, signal) => {
        leave();
        return this.enqueue(key, client, date, contractId, serviceId, signal);
      },
      withdraw: () => {
        if (leave()) this.flushIfComplete(key);
      },
    };
  }

  private gathering(key: string, date: string): Gathering {
    let gathering = this.gatherings.get(key);
    if (!gathering) {
      gathering = { date, announced: 0, waiters: [], contracts: new Set(), timer: undefined, linger: undefined };
      this.gatherings.set(key, gathering);
    }
    return gathering;
  }

  private enqueue(key: string, client: AutotaskClient, date: string, contractId: number, serviceId: number, signal?: AbortSignal): Promise<ServiceUnits> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const gathering = this.gathering(key, date);
    return new Promise<ServiceUnits>((resolve, reject) => {
      // A cancelled activity stops waiting; the batch still answers the others.
      const onAbort = () => {
        const at = gathering.waiters.indexOf(waiter);
        if (at >= 0) gathering.waiters.splice(at, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        client,
        contractId,
        serviceId,
        resolve: (units) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(units);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      gathering.waiters.push(waiter);
      gathering.contracts.add(contractId);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (gathering.contracts.size >= this.targetContracts) return this.send(key);
      gathering.timer ??= setTimeout(() => this.send(key), this.maxWaitMs).unref();
      this.flushIfComplete(key);
    });
  }

  /**
   * Sends the gathering `lingerMs` after the last read arrived (or write withdrew), if no
   * announced write is on its way meanwhile: each arrival starts the wait again, so only a real
   * quiet sends early.
   */
  private flushIfComplete(key: string): void {
    const gathering = this.gatherings.get(key);
    if (!gathering) return;
    clearTimeout(gathering.linger);
    gathering.linger = undefined;
    if (gathering.announced > 0 || gathering.waiters.length === 0) return;
    gathering.linger = setTimeout(() => {
      if (this.gatherings.get(key) === gathering && gathering.announced === 0) this.send(key);
    }, this.lingerMs).unref();
  }

  /**
   * Sends what has gathered. Writes announced but not yet read stay counted in a fresh gathering
   * under the same key, so the next batch waits for them.
   */
  private send(key: string): void {
    const gathering = this.gatherings.get(key);
    if (!gathering) return;
    clearTimeout(gathering.timer);
    clearTimeout(gathering.linger);
    if (gathering.announced > 0) this.gatherings.set(key, { ...gathering, waiters: [], contracts: new Set(), timer: undefined, linger: undefined });
    else this.gatherings.delete(key);
    const waiters = gathering.waiters;
    if (waiters.length === 0) return;
    // The first read's client: every read under one key uses the same partner's credentials.
    waiters[0]!.client.unitsOfPairs(waiters.map((w) => ({ contractId: w.contractId, serviceId: w.serviceId })), gathering.date).then(
      (units) => {
        for (const w of waiters) w.resolve(units.get(`${w.contractId}:${w.serviceId}`) ?? { units: 0, unitPrice: null });
      },
      (err: unknown) => {
        for (const w of waiters) w.reject(err);
      }
    );
  }
}

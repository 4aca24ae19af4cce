/**
 * Backoff after repeated wrong secrets: Authenticate (and a save that re-checks credentials)
 * answers "wrong secret" like an oracle, so after `after` wrong secrets in a row for a partner
 * each further attempt waits `baseMs`, doubling up to `maxMs`, until one succeeds. Kept in memory
 * per API process (as the rate-limit counters are); at most `maxEntries` partners are tracked,
 * the oldest forgotten first.
 */
export interface BackoffSettings {
  after: number;
  baseMs: number;
  maxMs: number;
}

export interface WrongSecretBackoff {
  /** Milliseconds to wait before the partner may try again; 0 = now. */
  waitMs(partnerId: string): number;
  /** Records an attempt's outcome: a wrong secret counts, a success resets, anything else leaves it. */
  record(partnerId: string, outcome: 'ok' | 'wrong_secret' | 'other'): void;
}

export function createWrongSecretBackoff(settings: BackoffSettings, now: () => number = Date.now, maxEntries = 10_000): WrongSecretBackoff {
  const state = new Map<string, { failures: number; until: number }>();
  return {
    waitMs(partnerId) {
      const entry = state.get(partnerId);
      return entry ? Math.max(0, entry.until - now()) : 0;
    },
    record(partnerId, outcome) {
      if (outcome === 'ok') {
        state.delete(partnerId);
        return;
      }
      if (outcome !== 'wrong_secret') return;
      const failures = (state.get(partnerId)?.failures ?? 0) + 1;
      const over = failures - settings.after;
      const until = over >= 0 ? now() + Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(over, 30)) : 0;
      state.delete(partnerId); // re-insert: Map order is then oldest-first for eviction
      state.set(partnerId, { failures, until });
      if (state.size > maxEntries) state.delete(state.keys().next().value!);
    },
  };
}

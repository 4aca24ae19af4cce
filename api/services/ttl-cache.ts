/**
 * A small per-key cache with a time-to-live: the mapping screens browse Autotask look-ups over
 * and over, and each call would spend the MSP's shared hourly request budget.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; expires: number }>();
  constructor(private readonly ttlMs: number, private readonly maxEntries = 1_000) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > Date.now()) return hit.value;
    const value = load();
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
    value.catch(() => this.entries.delete(key)); // failures are not cached
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  /** Forgets every key that starts with the prefix (a partner's look-ups after new credentials). */
  invalidate(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}

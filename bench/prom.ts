/**
 * Reads a Prometheus text endpoint (the Temporal dev server's `--metrics-port`, the worker SDK's
 * exporter) so a benchmark can say what a phase cost in requests, replays and cache evictions:
 * take a snapshot before and after, and subtract.
 */
export type PromSnapshot = Map<string, number>;

export async function scrape(url: string): Promise<PromSnapshot> {
  const text = await (await fetch(url)).text();
  const samples: PromSnapshot = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    const value = Number(line.slice(cut + 1));
    if (Number.isFinite(value)) samples.set(line.slice(0, cut), value);
  }
  return samples;
}

/** The sum of a metric's samples whose labels include every `label="value"` given. */
export function sum(snapshot: PromSnapshot, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const [key, value] of snapshot) {
    const brace = key.indexOf('{');
    if ((brace === -1 ? key : key.slice(0, brace)) !== name) continue;
    if (Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`))) total += value;
  }
  return total;
}

/** What a phase added to a metric: after − before. */
export function delta(before: PromSnapshot, after: PromSnapshot, name: string, labels: Record<string, string> = {}): number {
  return sum(after, name, labels) - sum(before, name, labels);
}

/** The metric's samples by one label's value, after − before, largest first. */
export function deltaBy(before: PromSnapshot, after: PromSnapshot, name: string, label: string): Array<[string, number]> {
  const by = new Map<string, number>();
  for (const [snapshot, sign] of [[after, 1], [before, -1]] as const) {
    for (const [key, value] of snapshot) {
      if (!key.startsWith(`${name}{`)) continue;
      const match = new RegExp(`${label}="([^"]*)"`).exec(key);
      if (match) by.set(match[1]!, (by.get(match[1]!) ?? 0) + sign * value);
    }
  }
  return [...by].filter(([, v]) => v !== 0).sort((a, b) => b[1] - a[1]);
}

/**
 * Match suggestions between Password Boss and Autotask company names (issue 17). Pure: names in,
 * ranked candidates with a reason out. A suggestion is only ever shown; the MSP confirms it.
 *
 * Two tiers. Exact: the names are equal once case, accents, punctuation, a leading "The" and
 * trailing legal suffixes (Inc, LLC, Ltd, GmbH, …) are ignored. Fuzzy: otherwise, a score from
 * 0 to 1 mixing shared words and shared letter triples, so "Acme Dental (HQ)" and a typo like
 * "Acme Dentl" still surface, each with the words that differ.
 */

/** Legal-form words that say nothing about which company it is, dropped from the end of a name. */
const LEGAL_SUFFIXES = new Set([
  'inc', 'incorporated', 'llc', 'llp', 'lp', 'pllc', 'ltd', 'limited', 'co', 'corp', 'corporation', 'company', 'plc', 'pc', 'pa',
  'gmbh', 'ag', 'kg', 'kgaa', 'ug', 'se', 'sa', 'sas', 'sarl', 'srl', 'spa', 'bv', 'nv', 'pty', 'ab', 'as', 'oy', 'aps', 'lda',
]);

export interface NormalisedName {
  /** The words that identify the company, joined by one space: what exact matching compares. */
  key: string;
  words: string[];
  /** The legal suffixes taken off, as written (for the reason). */
  suffixes: string[];
}

export function normaliseCompanyName(name: string): NormalisedName {
  const plain = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[&+]/g, ' and ')
    // Dots and apostrophes join what they separate: "L.L.C." is "llc", "O'Neil" is "oneil".
    .replace(/[.'\u2019]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  const words = plain ? plain.split(' ') : [];
  if (words.length > 1 && words[0] === 'the') words.shift();
  const suffixes: string[] = [];
  // Never strip the last word: "Company" alone is still a name.
  while (words.length > 1 && LEGAL_SUFFIXES.has(words[words.length - 1]!)) suffixes.unshift(words.pop()!);
  return { key: words.join(' '), words, suffixes };
}

export interface MatchTarget {
  id: number;
  name: string;
}

export interface NameMatch {
  id: number;
  name: string;
  kind: 'exact' | 'fuzzy';
  /** 1 for exact; otherwise the similarity, 0.55 to 1. */
  score: number;
  reason: string;
}

/** Below this a fuzzy match is more noise than help. */
export const FUZZY_THRESHOLD = 0.55;

interface Indexed {
  target: MatchTarget;
  name: NormalisedName;
  grams: Set<string>;
}

function trigrams(key: string): Set<string> {
  const padded = `  ${key} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
}

function dice<T>(a: Set<T>, b: Set<T>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return (2 * shared) / (a.size + b.size);
}

const quote = (words: string[]) => words.map((w) => `'${w}'`).join(', ');

function exactReason(from: NormalisedName, to: NormalisedName, fromName: string, toName: string): string {
  if (fromName === toName) return 'Same name';
  const dropped = [...new Set([...from.suffixes, ...to.suffixes])];
  return dropped.length ? `Same name apart from case, punctuation and the legal suffix ${quote(dropped)}` : 'Same name apart from case and punctuation';
}

function fuzzyReason(from: NormalisedName, to: NormalisedName, score: number): string {
  const mine = new Set(from.words);
  const theirs = new Set(to.words);
  const onlyHere = from.words.filter((w) => !theirs.has(w));
  const onlyThere = to.words.filter((w) => !mine.has(w));
  const parts = [`Similar name (${Math.round(score * 100)}%)`];
  if (onlyHere.length) parts.push(`only in Password Boss: ${quote(onlyHere)}`);
  if (onlyThere.length) parts.push(`only in Autotask: ${quote(onlyThere)}`);
  return parts.join('; ');
}

/**
 * An index over the Autotask companies, built once per request and asked once per Password Boss
 * company. Candidates for the fuzzy tier come from the words they share, skipping words so common
 * they would make every pair a candidate (thousands of "Dental"s), so 5,000 × 5,000 names stay fast.
 */
export function createNameMatcher(targets: readonly MatchTarget[], options: { limit?: number } = {}) {
  const limit = options.limit ?? 3;
  const entries: Indexed[] = [];
  const byKey = new Map<string, Indexed[]>();
  const byWord = new Map<string, Indexed[]>();
  for (const target of targets) {
    const name = normaliseCompanyName(target.name);
    if (!name.key) continue;
    const entry = { target, name, grams: trigrams(name.key) };
    entries.push(entry);
    byKey.set(name.key, [...(byKey.get(name.key) ?? []), entry]);
    for (const w of new Set(name.words)) {
      const list = byWord.get(w);
      if (list) list.push(entry);
      else byWord.set(w, [entry]);
    }
  }
  const common = Math.max(50, Math.ceil(entries.length * 0.02));

  return function match(pbName: string): NameMatch[] {
    const name = normaliseCompanyName(pbName);
    if (!name.key) return [];
    const exact = byKey.get(name.key);
    if (exact) {
      return exact.slice(0, limit).map((e) => ({ id: e.target.id, name: e.target.name, kind: 'exact', score: 1, reason: exactReason(name, e.name, pbName, e.target.name) }));
    }
    const postings = [...new Set(name.words)].map((w) => byWord.get(w) ?? []).filter((p) => p.length > 0);
    const rare = postings.filter((p) => p.length <= common);
    // Only common words in the name: the rarest of them still yields candidates.
    const sources = rare.length ? rare : postings.sort((a, b) => a.length - b.length).slice(0, 1);
    const candidates = new Set<Indexed>(sources.flat());
    const grams = trigrams(name.key);
    const words = new Set(name.words);
    const scored: NameMatch[] = [];
    for (const c of candidates) {
      const score = Math.round((0.5 * dice(words, new Set(c.name.words)) + 0.5 * dice(grams, c.grams)) * 1000) / 1000;
      if (score >= FUZZY_THRESHOLD) scored.push({ id: c.target.id, name: c.target.name, kind: 'fuzzy', score, reason: fuzzyReason(name, c.name, score) });
    }
    scored.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name) || a.id - b.id);
    return scored.slice(0, limit);
  };
}

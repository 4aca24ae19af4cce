/**
 * Preview and Apply (issue 17): what a dry run would write, as a set of changes that Apply can
 * compare with a fresh plan. A change is one (company, contract, service) whose units would move;
 * pairs already right are not part of it, so a count that moves on a company the preview left
 * alone still shows up as a difference, and one that moves nothing does not.
 *
 * In review mode a dry run marks the changes Apply would hold for approval (action `would_hold`,
 * sync/approval.ts): they are changes all the same (Apply runs their companies, which then hold
 * them), flagged `held`, so a preview that said "held" and a fresh plan that would write differ.
 */

/** The action of a dry run's result row for a change the real run would hold for approval. */
export const WOULD_HOLD_ACTION = 'would_hold';

export interface PreviewRow {
  pbCompanyId: string;
  autotaskContractId: number | null;
  autotaskServiceId: number | null;
  action: string;
  unitsBefore: number | null;
  unitsAfter: number | null;
}

export interface PlannedChange {
  pbCompanyId: string;
  contractId: number;
  serviceId: number;
  before: number;
  after: number;
  /** A dry run found it beyond the guardrails: the real run holds it for approval. */
  held?: true;
}

const key = (c: Pick<PlannedChange, 'pbCompanyId' | 'contractId' | 'serviceId'>) => `${c.pbCompanyId}\u0000${c.contractId}\u0000${c.serviceId}`;

/** The changes a dry run's result rows stand for (action `would_set` or `would_hold`), in a stable order. */
export function plannedChanges(rows: readonly PreviewRow[]): PlannedChange[] {
  return rows
    .flatMap((r): PlannedChange[] =>
      (r.action === 'would_set' || r.action === WOULD_HOLD_ACTION) && r.autotaskContractId !== null && r.autotaskServiceId !== null && r.unitsBefore !== null && r.unitsAfter !== null && r.unitsBefore !== r.unitsAfter
        ? [{ pbCompanyId: r.pbCompanyId, contractId: r.autotaskContractId, serviceId: r.autotaskServiceId, before: r.unitsBefore, after: r.unitsAfter, ...(r.action === WOULD_HOLD_ACTION ? { held: true as const } : {}) }]
        : []
    )
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * The text a fingerprint is taken of: one line per change, sorted, so equal plans give equal text.
 * A held change ends in ` held`; changes without the mark (an approval's) keep the text they had.
 */
export function canonicalChanges(changes: readonly PlannedChange[]): string {
  return changes.map((c) => `${JSON.stringify(c.pbCompanyId)} ${c.contractId} ${c.serviceId} ${c.before} ${c.after}${c.held ? ' held' : ''}`).join('\n');
}

/** The numbers only: an approval compares them, whatever the guardrails would say of them now. */
export const withoutHoldMarks = (changes: readonly PlannedChange[]): PlannedChange[] => changes.map(({ held: _held, ...c }) => c);

/** One side of a difference; `held` only when it would wait for approval. */
export interface Pair { before: number; after: number; held?: true }
const pairOf = (c: PlannedChange): Pair => ({ before: c.before, after: c.after, ...(c.held ? { held: true as const } : {}) });

export interface ChangeDifference {
  pbCompanyId: string;
  contractId: number;
  serviceId: number;
  /** What the preview showed; null: the preview changed nothing there. */
  previewed: Pair | null;
  /** What a plan made now would do; null: nothing to change there any more. */
  now: Pair | null;
}

/** Where two sets of changes part: added, dropped, different numbers on the same pair, or held in one only. */
export function diffChanges(previewed: readonly PlannedChange[], now: readonly PlannedChange[]): ChangeDifference[] {
  const before = new Map(previewed.map((c) => [key(c), c]));
  const after = new Map(now.map((c) => [key(c), c]));
  const out: ChangeDifference[] = [];
  for (const k of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const p = before.get(k);
    const n = after.get(k);
    if (p && n && p.before === n.before && p.after === n.after && Boolean(p.held) === Boolean(n.held)) continue;
    const at = (p ?? n)!;
    out.push({ pbCompanyId: at.pbCompanyId, contractId: at.contractId, serviceId: at.serviceId, previewed: p ? pairOf(p) : null, now: n ? pairOf(n) : null });
  }
  return out;
}

/** One side of a preview's totals: how many changes on how many companies, and what they add up to. */
export interface PreviewSide {
  changes: number;
  companies: number;
  /** Sum of units after − before. */
  seatChange: number;
  /** Sum of the known amount changes (units × unit price), rounded as Autotask's prices are. */
  amountChange: number;
  /** Changes whose unit price is unknown (a service new on its contract), left out of amountChange. */
  unpricedChanges: number;
}

type TotalsRow = PreviewRow & { amountChange?: number | null | undefined };

/**
 * A dry run's totals split the way Apply will: what would land in Autotask, and what would wait
 * for approval (rows `would_hold`).
 */
export function previewTotals(rows: readonly TotalsRow[]): { land: PreviewSide; wait: PreviewSide } {
  const side = (held: boolean): PreviewSide => {
    const mine = rows.filter((r) => r.action === (held ? WOULD_HOLD_ACTION : 'would_set') && r.unitsBefore !== null && r.unitsAfter !== null && r.unitsBefore !== r.unitsAfter);
    const priced = mine.filter((r) => r.amountChange !== null && r.amountChange !== undefined);
    return {
      changes: mine.length,
      companies: new Set(mine.map((r) => r.pbCompanyId)).size,
      seatChange: mine.reduce((n, r) => n + r.unitsAfter! - r.unitsBefore!, 0),
      amountChange: Math.round(priced.reduce((n, r) => n + r.amountChange!, 0) * 10_000) / 10_000 + 0,
      unpricedChanges: mine.length - priced.length,
    };
  };
  return { land: side(false), wait: side(true) };
}

/**
 * Preview and Apply (issue 17): what a dry run would write, as a set of changes that Apply can
 * compare with a fresh plan. A change is one (company, contract, service) whose units would move;
 * pairs already right are not part of it, so a count that moves on a company the preview left
 * alone still shows up as a difference, and one that moves nothing does not.
 */

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
}

const key = (c: Pick<PlannedChange, 'pbCompanyId' | 'contractId' | 'serviceId'>) => `${c.pbCompanyId}\u0000${c.contractId}\u0000${c.serviceId}`;

/** The writes a dry run's result rows stand for (action `would_set`), in a stable order. */
export function plannedChanges(rows: readonly PreviewRow[]): PlannedChange[] {
  return rows
    .flatMap((r) =>
      r.action === 'would_set' && r.autotaskContractId !== null && r.autotaskServiceId !== null && r.unitsBefore !== null && r.unitsAfter !== null && r.unitsBefore !== r.unitsAfter
        ? [{ pbCompanyId: r.pbCompanyId, contractId: r.autotaskContractId, serviceId: r.autotaskServiceId, before: r.unitsBefore, after: r.unitsAfter }]
        : []
    )
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The text a fingerprint is taken of: one line per change, sorted, so equal plans give equal text. */
export function canonicalChanges(changes: readonly PlannedChange[]): string {
  return changes.map((c) => `${JSON.stringify(c.pbCompanyId)} ${c.contractId} ${c.serviceId} ${c.before} ${c.after}`).join('\n');
}

export interface ChangeDifference {
  pbCompanyId: string;
  contractId: number;
  serviceId: number;
  /** What the preview showed; null: the preview changed nothing there. */
  previewed: { before: number; after: number } | null;
  /** What a plan made now would do; null: nothing to change there any more. */
  now: { before: number; after: number } | null;
}

/** Where two sets of changes part: added, dropped, or different numbers on the same pair. */
export function diffChanges(previewed: readonly PlannedChange[], now: readonly PlannedChange[]): ChangeDifference[] {
  const before = new Map(previewed.map((c) => [key(c), c]));
  const after = new Map(now.map((c) => [key(c), c]));
  const out: ChangeDifference[] = [];
  for (const k of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const p = before.get(k);
    const n = after.get(k);
    if (p && n && p.before === n.before && p.after === n.after) continue;
    const at = (p ?? n)!;
    out.push({ pbCompanyId: at.pbCompanyId, contractId: at.contractId, serviceId: at.serviceId, previewed: p ? { before: p.before, after: p.after } : null, now: n ? { before: n.before, after: n.after } : null });
  }
  return out;
}

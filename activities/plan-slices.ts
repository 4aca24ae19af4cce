/**
 * A run's plan built and stored a slice of companies at a time (issue 15: a 10,000-company
 * month-end stays inside the worker's memory). The partner-wide decisions (ownership, dates,
 * which contracts to read) are made once (sync/run-plan.ts `unitReads`); then, per slice, its
 * units are read, its plans made, the cached contracts it writes to read again, its changes
 * awaited or held, and its plans stored. Only one slice's units and plans are alive at a time.
 *
 * What the whole run needs afterwards is kept small: the ledger adoptions, the held companies
 * and the number planned. A cached contract that changed under the run (recheckWritten) can
 * alter any slice's plan, so the run then plans again from the first slice.
 */
import { heartbeat } from '@temporalio/activity';
import type { Db } from '../db/client.ts';
import { findApprovalSettings, findUsableGrants, useGrants } from '../db/repositories/approval.ts';
import { appendRunPlan, clearRunPlan } from '../db/repositories/run-companies.ts';
import { findPendingAdjustments, pairKey } from '../db/repositories/unit-writes.ts';
import type { AutotaskClient } from '../integrations/autotask/client.ts';
import { guardrailBreach, heldOutcome, splitByGuardrails, wouldHoldOutcome, type ApprovalSettings } from '../sync/approval.ts';
import type { CompanyOutcome } from '../sync/company-outcome.ts';
import type { PlanCount } from '../sync/plan.ts';
import type { CompanyPlan } from '../sync/records.ts';
import { planOwners, planRun, sliceReads, unitReads, unitsKey, type LedgerAdoption, type RunPlanInput, type UnitRead } from '../sync/run-plan.ts';
import { recheckWritten, type CurrentContracts } from './current-contracts.ts';

/**
 * Companies per slice: a multiple of the 500 contracts one Autotask query reads, and three such
 * queries, as many as Autotask runs at once per endpoint, so slicing costs no request or wait.
 */
export const PLAN_SLICE = 1_500;

export interface PlanRunScope {
  db: Db;
  autotask: AutotaskClient;
  partnerId: string;
  runId: string;
  dryRun: boolean;
  signal: AbortSignal;
}

export interface SlicedPlan {
  /** Companies planned (stored or held). */
  total: number;
  adoptions: LedgerAdoption[];
  held: Array<{ plan: CompanyPlan; outcome: CompanyOutcome }>;
}

/** Thrown when the run was planned again three times and contracts still kept changing. */
const TOO_MANY_CHANGES = 'Autotask contracts kept changing while the run was planning; the run plans again shortly';

export async function planAndStoreInSlices(scope: PlanRunScope, runInput: Omit<RunPlanInput, 'contracts'>, current: CurrentContracts, counts: ReadonlyMap<string, PlanCount[]>): Promise<SlicedPlan> {
  const approval = await findApprovalSettings(scope.db, scope.partnerId);
  for (let tries = 1; ; tries++) {
    const planned = await planOnce(scope, { ...runInput, contracts: current.contracts }, current, counts, approval);
    if (planned !== 'contracts_changed') return planned;
    if (tries === 3) throw new Error(TOO_MANY_CHANGES);
  }
}

/**
 * One pass over every slice. A cached contract a slice writes to is read again before that slice
 * is stored; if it changed, the pass stops and says so (what was stored is cleared next pass).
 */
async function planOnce(scope: PlanRunScope, input: RunPlanInput, current: CurrentContracts, counts: ReadonlyMap<string, PlanCount[]>, approval: ApprovalSettings): Promise<SlicedPlan | 'contracts_changed'> {
  const { db, autotask, signal } = scope;
  // Stored by an earlier pass or attempt: this pass stores the whole plan again.
  await clearRunPlan(db, scope.runId);
  const prep = unitReads(input);
  // Only a service zeroed after no product maps it any more needs its name looked up.
  const serviceNames = new Map(prep.unnamedServices.size ? (await autotask.servicesByIds([...prep.unnamedServices], signal)).map((s) => [s.id, s.name]) : []);
  const owners = planOwners(input, prep);
  const result: SlicedPlan = { total: 0, adoptions: [], held: [] };
  let stored = 0;
  for (let from = 0; from < owners.length; from += PLAN_SLICE) {
    const slice = new Set(owners.slice(from, from + PLAN_SLICE));
    heartbeat(`reading Autotask units (companies ${from + 1}–${from + slice.size} of ${owners.length})`);
    const units = new Map<string, Map<number, UnitRead>>();
    await Promise.all([...sliceReads(input, prep, slice)].map(async ([date, ids]) => {
      for (const row of (await autotask.unitsAt([...ids], date, signal)).values()) {
        const key = unitsKey(date, row.contractID);
        units.set(key, (units.get(key) ?? new Map<number, UnitRead>()).set(row.serviceID, { units: row.units, unitPrice: row.unitPrice }));
      }
    }));
    const { plans, adoptions } = planRun(input, prep, { counts, units, serviceNames, owners: slice });
    // A contract taken from the cache is read again before the plan may write to it; if it
    // changed, the run plans again with it (rare: Autotask changed it without stamping it).
    if ((await recheckWritten(db, autotask, scope.partnerId, current, plans, signal)) > 0) return 'contracts_changed';
    if (!scope.dryRun) await markAwaitedAdjustments(db, scope.partnerId, scope.runId, plans);
    // Review mode (issue 17): a change beyond a guardrail is held, not handed to the write path;
    // a dry run records it as Apply would hold it, so the preview shows what waits.
    const { toWrite, held } = await holdBeyondGuardrails(db, scope, approval, plans);
    await appendRunPlan(db, scope.runId, stored, toWrite);
    stored += toWrite.length;
    result.total += plans.length;
    for (const a of adoptions) result.adoptions.push(a);
    for (const h of held) result.held.push(h);
  }
  return result;
}

/**
 * Splits plans into those to write and those held (sync/approval.ts). A company the MSP approved
 * is written past the guardrails only while its changes are exactly the approved ones (an
 * approval grant, written only by the approve endpoint); a real run then uses the grant up, a dry
 * run only looks at it.
 */
async function holdBeyondGuardrails(db: Db, run: Pick<PlanRunScope, 'partnerId' | 'runId' | 'dryRun'>, settings: ApprovalSettings, plans: CompanyPlan[]): Promise<{ toWrite: CompanyPlan[]; held: Array<{ plan: CompanyPlan; outcome: CompanyOutcome }> }> {
  const beyond = plans.filter((plan) => guardrailBreach(plan, settings) !== null);
  if (beyond.length === 0) return { toWrite: plans, held: [] };
  const grants = await findUsableGrants(db, run.partnerId, run.runId, beyond.map((plan) => plan.pbCompanyId));
  const split = splitByGuardrails(plans, settings, grants);
  if (!run.dryRun) await useGrants(db, run.runId, split.usedGrantIds);
  const outcome = (plan: CompanyPlan, breach: string) => (run.dryRun ? wouldHoldOutcome(plan, breach, settings) : heldOutcome(plan, breach));
  return { toWrite: split.toWrite, held: split.held.map(({ plan, breach }) => ({ plan, outcome: outcome(plan, breach) })) };
}

/**
 * A pair already right by the run's read that still waits for an earlier run's adjustment is not
 * "unchanged": the adjustment may land on top. Marked, so the company's write path reports it on
 * every run until it shows or the MSP abandons it (docs/design.md rule 8).
 */
async function markAwaitedAdjustments(db: Db, partnerId: string, runId: string, plans: CompanyPlan[]): Promise<void> {
  const settled = plans.flatMap((p) => p.actions.filter((a) => a.from === a.to).map((a) => ({ plan: p, action: a, contractId: a.contractId ?? p.contractId })));
  if (settled.length === 0) return;
  const pending = await findPendingAdjustments(db, partnerId, runId, settled.map((s) => ({ contractId: s.contractId, serviceId: s.action.serviceId })));
  for (const s of settled) if (pending.has(pairKey(s.contractId, s.action.serviceId))) s.action.awaitsAdjustment = true;
}

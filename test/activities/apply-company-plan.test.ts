/**
 * applyCompanyPlan's retry rules, one attempt at a time: the real activity over a real database
 * (PGlite) and the Autotask simulator over HTTP, run in a MockActivityEnvironment so each test
 * decides what an earlier attempt left behind. The simulator's request log counts what reached
 * Autotask: a wrong rule here means a unit count added twice on a customer's invoice.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../../activities/index.ts';
import type { Deps } from '../../deps/deps.ts';
import type { ApplyCompanyPlanInput } from '../../activities/company.ts';
import { setEnabled, upsertSettings } from '../../db/repositories/autotask-settings.ts';
import { findCompanyMapping, refreshCompanies } from '../../db/repositories/company-mappings.ts';
import { storeRunPlan } from '../../db/repositories/run-companies.ts';
import { insertPartner } from '../../db/repositories/partners.ts';
import { ensureRun, findRun, listRunResults } from '../../db/repositories/sync-runs.ts';
import { claimUnitWrites } from '../../db/repositories/unit-writes.ts';
import { createSecretBox } from '../../db/secret-box.ts';
import type { DbHandle } from '../../db/client.ts';
import { PasswordBossClient } from '../../integrations/passwordboss/client.ts';
import type { CompanyPlan, UnitAction } from '../../sync/plan.ts';
import { companyOutcome, failedResult, resultWithoutWrite, type CompanySyncResult } from '../../sync/company-outcome.ts';
import { createTestDb } from '../support/databases.ts';
import { FIXED_NOW, startSimulators, type Simulators } from '../support/simulators.ts';

const EFFECTIVE = '2026-11-01';
const PARTNER = 'apply-plan-partner';
const STANDARD = 301;
const ADVANCED = 302;

let db: DbHandle;
let sims: Simulators;
let deps: Deps;
let activities: ReturnType<typeof createActivities>;

beforeAll(async () => {
  [db, sims] = await Promise.all([createTestDb('pglite'), startSimulators({ companies: 12, partnerId: PARTNER })]);
  const secretBox = createSecretBox(randomBytes(32));
  deps = {
    db: db.db,
    secretBox,
    autotask: { zoneLookupUrl: sims.zoneLookupUrl, defaultTrackingIdentifier: sims.demo.credentials.trackingIdentifier },
    passwordboss: new PasswordBossClient({ baseUrl: sims.passwordbossUrl, token: sims.passwordbossToken }),
    now: () => FIXED_NOW,
  };
  await insertPartner(db.db, { id: PARTNER, name: 'Northwind', timezone: 'America/New_York' });
  await upsertSettings(db.db, PARTNER, { username: sims.demo.credentials.username, secretCiphertext: secretBox.seal(sims.demo.credentials.secret, PARTNER), enabled: true });
  activities = createActivities(deps);
  sims.autotask.faults.logBodies = true;
});

afterAll(async () => {
  await deps?.passwordboss.close();
  await sims?.close();
  await db?.close();
});

beforeEach(() => {
  sims.autotask.faults.clear();
  sims.autotask.faults.log = [];
});

// --- helpers ---------------------------------------------------------------------------------

/** A demo company whose contract takes adjustments (recurring, running on the effective date). */
function company(pbCompanyId: string) {
  const mapping = sims.demo.mappings.find((m) => m.pbCompanyId === pbCompanyId);
  if (!mapping) throw new Error(`no demo mapping for ${pbCompanyId}`);
  return mapping;
}

/** Units Autotask holds for a contract service on the effective date (0 when it has none). */
function unitsNow(contractId: number, serviceId: number): number {
  const cs = sims.autotask.state.findContractService(contractId, serviceId);
  return cs ? sims.autotask.state.unitsAt(cs.id, EFFECTIVE) : 0;
}

function action(serviceId: number, from: number, to: number): UnitAction {
  return { serviceId, serviceName: serviceId === STANDARD ? 'Password Boss Standard' : 'Password Boss Advanced', productIds: [serviceId === STANDARD ? 'pb-standard' : 'pb-advanced'], from, to, reason: 'count' };
}

/**
 * A plan as planRun would make it: `from` is what the batched read saw, i.e. what Autotask holds
 * now, and `to` that plus the given change.
 */
function planFor(pbCompanyId: string, changes: Array<[serviceId: number, change: number]>): CompanyPlan {
  const m = company(pbCompanyId);
  return {
    pbCompanyId,
    pbCompanyName: pbCompanyId,
    contractId: m.autotaskContractId,
    contractName: m.autotaskContractName,
    actions: changes.map(([serviceId, change]) => {
      const from = unitsNow(m.autotaskContractId, serviceId);
      return action(serviceId, from, from + change);
    }),
    problems: [],
  };
}

async function newRun(): Promise<string> {
  const runId = randomUUID();
  await ensureRun(db.db, { id: runId, partnerId: PARTNER, workflowId: `partner-sync/${PARTNER}/now`, trigger: 'api', dryRun: false });
  return runId;
}

function input(runId: string, plan: CompanyPlan): ApplyCompanyPlanInput {
  return { partnerId: PARTNER, runId, effectiveDate: EFFECTIVE, dryRun: false, plan };
}

/** One attempt of the activity, as a worker would run it (its expected failures not logged as warnings). */
const attempt = (i: ApplyCompanyPlanInput): Promise<CompanySyncResult> => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(activities.applyCompanyPlan, i);

/** What reached Autotask's REST API about one contract service, in order: "read" or "adjust". */
function requestsAbout(contractId: number, serviceId: number): string[] {
  return sims.autotask.faults.log
    .filter((r) => r.method === 'POST')
    .filter((r) => {
      const body = JSON.stringify(r.body ?? '');
      // Adjustments name contractID and serviceID; the units query filters on both.
      return new RegExp(`\\b${contractId}\\b`).test(body) && new RegExp(`\\b${serviceId}\\b`).test(body);
    })
    .map((r) => (/ContractServiceAdjustments/i.test(r.path) ? 'adjust' : /ContractServiceUnits\/query/i.test(r.path) ? 'read' : r.path));
}

/** Adjustments the simulator stored for a contract service since the demo data (seeded ones have at = 0). */
function writtenAdjustments(contractId: number, serviceId: number) {
  return sims.autotask.state.adjustments.filter((a) => a.at > 0 && a.contractID === contractId && a.serviceID === serviceId);
}

// --- the rules -------------------------------------------------------------------------------

describe('applyCompanyPlan', () => {
  it('trusts the planned units on the first claim: one adjustment, no read before it', async () => {
    const plan = planFor('c-0002', [[STANDARD, 3], [ADVANCED, 4]]);
    const runId = await newRun();

    const result = await attempt(input(runId, plan));

    for (const a of plan.actions) {
      // The write comes first (the plan's read is trusted), then the read that confirms it.
      expect(requestsAbout(plan.contractId, a.serviceId), `service ${a.serviceId}`).toEqual(['adjust', 'read']);
      expect(writtenAdjustments(plan.contractId, a.serviceId).map((x) => x.unitChange)).toEqual([a.to - a.from]);
      expect(unitsNow(plan.contractId, a.serviceId)).toBe(a.to);
    }
    expect(result).toEqual({ pbCompanyId: 'c-0002', status: 'ok', unitsChanged: 3 + 4, adjustments: 2 });
    expect(await findRun(db.db, PARTNER, runId)).toMatchObject({ done: 1, failed: 0, unitsChanged: 7, adjustments: 2 });
  });

  it('re-reads after a lost answer and does not post the adjustment again', async () => {
    const m = company('c-0003');
    const plan = planFor('c-0003', [[STANDARD, 2]]);
    const [planned] = plan.actions;
    const runId = await newRun();
    // Autotask applies the adjustment, then the connection drops before its answer.
    sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 1, fault: { kind: 'lost' } });

    const lost = await attempt(input(runId, plan)).catch((err: unknown) => err);
    expect(lost).toBeInstanceOf(ApplicationFailure);
    expect((lost as ApplicationFailure).nonRetryable).toBe(false);
    // The first attempt left a claim and no result: exactly what a retry finds after a lost answer.
    expect(await listRunResults(db.db, runId)).toEqual([]);
    expect(unitsNow(m.autotaskContractId, STANDARD)).toBe(planned!.to);

    sims.autotask.faults.log = [];
    const retried = await attempt(input(runId, plan));

    // Trusting the plan's `from` again would post the difference a second time.
    expect(requestsAbout(m.autotaskContractId, STANDARD)).toEqual(['read']);
    expect(writtenAdjustments(m.autotaskContractId, STANDARD)).toHaveLength(1);
    expect(unitsNow(m.autotaskContractId, STANDARD)).toBe(planned!.to);
    // The change is still the run's own, reported from the planned value.
    expect(retried).toEqual({ pbCompanyId: 'c-0003', status: 'ok', unitsChanged: 2, adjustments: 1 });
    const [row] = await listRunResults(db.db, runId);
    expect(row).toMatchObject({ action: 'set', status: 'ok', unitsBefore: planned!.from, unitsAfter: planned!.to, detail: expect.stringContaining('confirmed after a retry') });
  });

  it('re-reads before writing when an earlier attempt claimed the write, even if nothing landed', async () => {
    const m = company('c-0004');
    const plan = planFor('c-0004', [[STANDARD, 5]]);
    const runId = await newRun();
    // An attempt claimed the write and its worker died before sending it.
    await claimUnitWrites(db.db, runId, 'c-0004', [{ contractId: m.autotaskContractId, serviceId: STANDARD, target: plan.actions[0]!.to, effectiveDate: EFFECTIVE }]);

    await attempt(input(runId, plan));

    expect(requestsAbout(m.autotaskContractId, STANDARD)).toEqual(['read', 'adjust', 'read']);
    expect(writtenAdjustments(m.autotaskContractId, STANDARD).map((a) => a.unitChange)).toEqual([5]);
  });

  it('skips a service whose result an earlier attempt saved: no read, no write', async () => {
    const m = company('c-0005');
    const plan = planFor('c-0005', [[STANDARD, 1], [ADVANCED, 6]]);
    const runId = await newRun();
    // The first write lands and is confirmed; the second one meets an Autotask outage.
    sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', after: 1, times: 1, fault: { kind: 'status', status: 503, body: { errors: [] } } });
    const failed = await attempt(input(runId, plan)).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(ApplicationFailure);
    expect(requestsAbout(m.autotaskContractId, STANDARD)).toEqual(['adjust', 'read']);

    sims.autotask.faults.log = [];
    const retried = await attempt(input(runId, plan));

    expect(requestsAbout(m.autotaskContractId, STANDARD)).toEqual([]);
    // The failed write was claimed, so the retry reads before it writes.
    expect(requestsAbout(m.autotaskContractId, ADVANCED)).toEqual(['read', 'adjust', 'read']);
    expect(writtenAdjustments(m.autotaskContractId, STANDARD)).toHaveLength(1);
    expect(writtenAdjustments(m.autotaskContractId, ADVANCED)).toHaveLength(1);
    expect(retried).toEqual({ pbCompanyId: 'c-0005', status: 'ok', unitsChanged: 1 + 6, adjustments: 2 });
    // The saved result is reported as it was saved, with the adjustment id of the first attempt.
    const rows = await listRunResults(db.db, runId);
    expect(rows.find((r) => r.autotaskServiceId === STANDARD)).toMatchObject({ action: 'set', status: 'ok', adjustmentId: writtenAdjustments(m.autotaskContractId, STANDARD)[0]!.id });
  });

  it("makes a permanent refusal that service's error and still runs the company's other services", async () => {
    const m = company('c-0007');
    const plan = planFor('c-0007', [[STANDARD, 2], [ADVANCED, 3]]);
    const runId = await newRun();
    // Autotask answers business-rule violations with HTTP 500 and an errors[] body.
    sims.autotask.faults.add({
      method: 'POST', path: 'ContractServiceAdjustments', times: 1,
      fault: { kind: 'status', status: 500, body: { errors: ['Unable to make changes as it would result in the deletion/modification of an already approved and posted contract period.'] } },
    });

    const result = await attempt(input(runId, plan));

    expect(requestsAbout(m.autotaskContractId, STANDARD)).toEqual(['adjust']); // refused once, never retried
    expect(requestsAbout(m.autotaskContractId, ADVANCED)).toEqual(['adjust', 'read']);
    expect(unitsNow(m.autotaskContractId, ADVANCED)).toBe(plan.actions[1]!.to);
    expect(result).toEqual({ pbCompanyId: 'c-0007', status: 'error', unitsChanged: 3, adjustments: 1 });
    const rows = await listRunResults(db.db, runId);
    expect(rows.find((r) => r.autotaskServiceId === STANDARD)).toMatchObject({ status: 'error', errorType: 'AutotaskValidation', detail: expect.stringContaining('approved and posted') });
    expect(rows.find((r) => r.autotaskServiceId === ADVANCED)).toMatchObject({ status: 'ok', action: 'set', unitsAfter: plan.actions[1]!.to });
    expect(await findRun(db.db, PARTNER, runId)).toMatchObject({ done: 1, failed: 1, adjustments: 1 });
  });

  it.each([
    ['a 500 (Autotask had an unexpected error)', { kind: 'status', status: 500, body: { errors: ['An unexpected error has occurred.  If the problem persists, please contact Autotask Support.'] } }],
    ['a 429 (the hourly threshold)', { kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: { errors: ['Request Threshold Exceeded'] } }],
  ] as const)('fails the attempt on %s, retryably, and records no outcome', async (_name, fault) => {
    const pbCompanyId = fault.status === 429 ? 'c-0009' : 'c-0010';
    const m = company(pbCompanyId);
    const plan = planFor(pbCompanyId, [[STANDARD, 4]]);
    const runId = await newRun();
    sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 1, fault });

    const failed = await attempt(input(runId, plan)).catch((err: unknown) => err);

    expect(failed).toBeInstanceOf(ApplicationFailure);
    expect((failed as ApplicationFailure).nonRetryable).toBe(false);
    expect(await listRunResults(db.db, runId)).toEqual([]);
    expect(await findRun(db.db, PARTNER, runId)).toMatchObject({ done: 0, failed: 0, unitsChanged: 0, adjustments: 0 });
    expect(writtenAdjustments(m.autotaskContractId, STANDARD)).toEqual([]);
  });

  // --- issue 13: the run invariants -------------------------------------------------------------

  /** A run of the activity's worker as the workflow drives it: attempts, then the run's close. */
  const finishRun = (runId: string) => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(activities.finishRun, { runId, detail: null });
  const adjustmentsOf = (contractId: number, serviceId: number) => requestsAbout(contractId, serviceId).filter((r) => r === 'adjust');

  it('never posts twice in a run: a retry after an accepted adjustment only re-reads (defect 3)', async () => {
    const m = company('c-0011');
    const plan = planFor('c-0011', [[STANDARD, 10]]);
    const runId = await newRun();
    // Autotask accepts the adjustment and never applies it; the confirming read then drops.
    sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 1, fault: { kind: 'dropped' } });
    sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceUnits/query', times: 1, fault: { kind: 'reset' } });
    const first = await attempt(input(runId, plan)).catch((err: unknown) => err);
    expect((first as ApplicationFailure).nonRetryable).toBe(false);

    const retried = await attempt(input(runId, plan));
    const again = await attempt(input(runId, plan)); // e.g. a replay after a crash: still no post

    expect(adjustmentsOf(m.autotaskContractId, STANDARD)).toEqual(['adjust']);
    expect(writtenAdjustments(m.autotaskContractId, STANDARD)).toHaveLength(1);
    const posted = writtenAdjustments(m.autotaskContractId, STANDARD)[0]!.id;
    expect(retried).toMatchObject({ status: 'error', adjustments: 0, unitsChanged: 0 });
    expect(again).toMatchObject({ status: 'error' });
    const [row] = await listRunResults(db.db, runId);
    expect(row).toMatchObject({ status: 'error', errorType: 'AutotaskAdjustmentNotApplied', adjustmentId: posted, detail: expect.stringContaining(`adjustment ${posted}`) });
    expect(row!.detail).toMatch(/will not post again/);
  });

  it('posts once over nine runs when the adjustment never applies, and says why each time (defect 3)', async () => {
    const m = company('c-0002');
    const since = writtenAdjustments(m.autotaskContractId, STANDARD).length; // an earlier test wrote here
    const ours = () => writtenAdjustments(m.autotaskContractId, STANDARD).slice(since);
    sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 1, fault: { kind: 'dropped' } });
    const results: Array<{ adjustments: number }> = [];
    for (let run = 0; run < 9; run++) {
      // Each run plans from what Autotask reads: the dropped +10 never shows, so every plan wants +10.
      const runId = await newRun();
      results.push(await attempt(input(runId, planFor('c-0002', [[STANDARD, 10]]))));
      await finishRun(runId);
      const [row] = await listRunResults(db.db, runId);
      expect(row, `run ${run + 1}`).toMatchObject({ status: 'error', errorType: 'AutotaskAdjustmentNotApplied', adjustmentId: ours()[0]!.id });
      if (run > 0) expect(row!.detail).toMatch(/posted by an earlier sync .* Nothing was posted, so it cannot count twice/);
    }
    expect(ours()).toHaveLength(1);
    expect(results.map((r) => r.adjustments)).toEqual(Array(9).fill(0));
  });

  it('continues once an earlier run\'s late adjustment shows, without posting it again (defect 3)', async () => {
    const m = company('c-0010');
    sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 1, fault: { kind: 'late', ms: 1_500 } });
    const planned = planFor('c-0010', [[STANDARD, 10]]);
    const first = await newRun();
    expect(await attempt(input(first, planned))).toMatchObject({ status: 'error' });
    await finishRun(first);
    const blocked = await newRun();
    expect(await attempt(input(blocked, planned))).toMatchObject({ status: 'error' });
    await finishRun(blocked);
    await new Promise((r) => setTimeout(r, 1_600));
    // Planned before the late adjustment showed: the same +10 again.
    const settled = await newRun();
    expect(await attempt(input(settled, planned))).toMatchObject({ status: 'ok', adjustments: 0 });
    expect(writtenAdjustments(m.autotaskContractId, STANDARD)).toHaveLength(1);
    expect(unitsNow(m.autotaskContractId, STANDARD)).toBe(planned.actions[0]!.to);
    const [row] = await listRunResults(db.db, settled);
    expect(row!.detail).toMatch(/adjustment \d+ from an earlier sync has now applied/);
    await finishRun(settled);
    // Nothing holds the pair any more: the next change is written as usual.
    const next = await newRun();
    expect(await attempt(input(next, planFor('c-0010', [[STANDARD, 2]])))).toMatchObject({ status: 'ok', adjustments: 1 });
    expect(writtenAdjustments(m.autotaskContractId, STANDARD)).toHaveLength(2);
  });

  it('lets one company only write a (contract, service) in a run, whoever claims it (defect 3)', async () => {
    const m = company('c-0009');
    const runId = await newRun();
    const own = planFor('c-0009', [[ADVANCED, 3]]);
    // Another company's plan that reaches the same contract service (a pair left on a contract it moved from).
    const other: CompanyPlan = { ...planFor('c-0007', []), actions: [{ ...own.actions[0]!, contractId: m.autotaskContractId, to: own.actions[0]!.to + 5 }] };
    expect(await attempt(input(runId, own))).toMatchObject({ status: 'ok', adjustments: 1 });
    expect(await attempt(input(runId, other))).toMatchObject({ status: 'error', adjustments: 0 });
    expect(writtenAdjustments(m.autotaskContractId, ADVANCED)).toHaveLength(1);
    const rows = await listRunResults(db.db, runId);
    expect(rows.find((r) => r.pbCompanyId === 'c-0007')).toMatchObject({ errorType: 'UnitWriteClaimed', detail: expect.stringContaining('already written in this run for company c-0009') });
  });

  it('sends nothing once the integration is disabled during the run (defect 7)', async () => {
    await refreshCompanies(db.db, PARTNER, [{ id: 'c-0008', name: 'c-0008', active: true }]);
    const m = company('c-0008');
    const plan = planFor('c-0008', [[STANDARD, 4]]);
    const runId = await newRun();
    await setEnabled(db.db, PARTNER, false);
    try {
      const result = await attempt(input(runId, plan));
      expect(result).toEqual({ pbCompanyId: 'c-0008', status: 'skipped', unitsChanged: 0, adjustments: 0 });
    } finally {
      await setEnabled(db.db, PARTNER, true);
    }
    expect(requestsAbout(m.autotaskContractId, STANDARD)).toEqual([]);
    expect(writtenAdjustments(m.autotaskContractId, STANDARD)).toEqual([]);
    expect(await findCompanyMapping(db.db, PARTNER, 'c-0008')).toMatchObject({ status: 'skipped', detail: 'The integration was disabled during the run; nothing more was sent' });
    expect(await listRunResults(db.db, runId)).toEqual([expect.objectContaining({ status: 'skipped', autotaskServiceId: STANDARD })]);
    // The run says so too, once even when its close is retried: otherwise it closes `ok` in silence.
    await finishRun(runId);
    await finishRun(runId);
    expect((await findRun(db.db, PARTNER, runId))?.detail).toBe('The integration was disabled during the run: 1 company was not sent — turn it on and sync again to send them');
  });

  it('keeps a confirmed write confirmed and counted when the company gives up (defect 6)', async () => {
    const m = company('c-0006');
    const plan = planFor('c-0006', [[STANDARD, 2], [ADVANCED, 5]]);
    const runId = await newRun();
    await storeRunPlan(db.db, runId, [plan]);
    // The first write lands and is confirmed; the second meets an outage every attempt.
    sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', after: 1, times: 1, fault: { kind: 'status', status: 503, body: { errors: [] } } });
    await attempt(input(runId, plan)).catch(() => undefined);
    // The workflow's give-up path (workflows/company-sync.ts): every action it wrote as failed.
    const detail = 'Autotask is unavailable — the sync gave up on this company for now; the next sync tries again';
    const gaveUp = companyOutcome(plan, plan.actions.map((a) => resultWithoutWrite(a, false) ?? failedResult(a, 'AutotaskUnavailable', detail)), false);
    await new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(activities.recordCompanyResult, { runId, partnerId: PARTNER, pbCompanyId: 'c-0006', contractId: plan.contractId, dryRun: false, ...gaveUp });

    const rows = await listRunResults(db.db, runId);
    expect(rows.find((r) => r.autotaskServiceId === STANDARD)).toMatchObject({ status: 'ok', action: 'set', adjustmentId: writtenAdjustments(m.autotaskContractId, STANDARD)[0]!.id, unitsAfter: plan.actions[0]!.to });
    expect(rows.find((r) => r.autotaskServiceId === ADVANCED)).toMatchObject({ status: 'error', detail });
    expect(await findRun(db.db, PARTNER, runId)).toMatchObject({ done: 1, failed: 1, adjustments: 1, unitsChanged: 2 });
  });

  it('records a busy company as skipped in its run without hiding the other run\'s outcome (defect 9)', async () => {
    await refreshCompanies(db.db, PARTNER, [{ id: 'c-0005', name: 'c-0005', active: true }]);
    const other = await newRun();
    await new MockActivityEnvironment().run(activities.recordCompanyResult, { runId: other, partnerId: PARTNER, pbCompanyId: 'c-0005', contractId: 1, dryRun: false, status: 'error' as const, detail: 'Autotask refused: posted period', results: [], unitsChanged: 0, adjustments: 0 });
    const runId = await newRun();
    // What partnerSync records when the company's workflow ID is taken by the other run.
    await new MockActivityEnvironment().run(activities.recordCompanyResult, { runId, partnerId: PARTNER, pbCompanyId: 'c-0005', contractId: 1, dryRun: false, status: 'skipped' as const, detail: 'Another sync of this company was already running; it was left to finish', results: [], unitsChanged: 0, adjustments: 0 });

    expect(await findCompanyMapping(db.db, PARTNER, 'c-0005')).toMatchObject({ status: 'error', detail: 'Autotask refused: posted period', lastRunId: other });
    expect(await listRunResults(db.db, runId)).toEqual([expect.objectContaining({ pbCompanyId: 'c-0005', status: 'skipped' })]);
    expect(await findRun(db.db, PARTNER, runId)).toMatchObject({ done: 1, failed: 0 });
  });

  it('says in the result what Autotask\'s unreadable answer meant (defect 8)', async () => {
    const m = company('c-0004');
    const plan = planFor('c-0004', [[ADVANCED, 2]]);
    const runId = await newRun();
    sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 1, fault: { kind: 'garbled', body: 'OK' } });
    expect(await attempt(input(runId, plan))).toMatchObject({ status: 'ok', adjustments: 1 });
    expect(adjustmentsOf(m.autotaskContractId, ADVANCED)).toEqual(['adjust']);
    const [row] = await listRunResults(db.db, runId);
    expect(row).toMatchObject({ status: 'ok', adjustmentId: null, detail: expect.stringMatching(/did not name the adjustment.*so it was applied/) });
  });
});

/**
 * Runs a scenario (test/property/model.ts) against the real service — the REST API through
 * `app.inject`, both simulators, and a run either through the real activities without Temporal or
 * through real Temporal workflows — and checks after every command what the rules promise.
 *
 * Violations are grouped in families, so each family can be its own test and the lead sees which
 * rules hold today and which wait for issue 13's work:
 *   units      billed pairs carry the month-end count (per-company effective date); never negative
 *   writes     at most one adjustment per pair per sync, only where a change is needed, of the
 *              right size; nothing while disabled
 *   ownership  moved and released pairs go to 0, stopped pairs keep their units, `leftBehind` is right
 *   ledger     the billing ledger owns exactly the pairs the confirmed writes give, one owner each
 *   outcomes   run and company statuses, details, result rows and counters say what happened
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities/index.ts';
import type { StoredAdjustment } from '../../simulators/autotask/state.ts';
import type { FaultRule } from '../../simulators/common/faults.ts';
import { companyOutcome, failedResult, resultWithoutWrite } from '../../sync/company-outcome.ts';
import { maySync } from '../../sync/may-sync.ts';
import type { CompanyPlan, ProductResult } from '../../sync/records.ts';
import { partnerWorkflowId } from '../../workflows/inputs.ts';
import { PartnerIdKey } from '../../workflows/search-attributes.ts';
import type { RunView } from '../support/partner-setup.ts';
import { emptyTables } from '../support/empty-tables.ts';
import { bearer, type Stack } from '../support/stack.ts';
import {
  PERIOD_END, PRODUCTS, allPairs, applyToModel, atCompanyId, atFixture, companyId, contractIdOf, credentials, initialState, leftBehind, pairKey, pbCounts, pbPartner, predict, recordWrite,
  type Command, type FaultSpec, type ModelState, type PairTarget, type Scenario,
} from './model.ts';

export const FAMILIES = ['units', 'writes', 'ownership', 'ledger', 'outcomes'] as const;
export type Family = (typeof FAMILIES)[number];
export type Violations = Record<Family, string[]>;
export type Driver = 'activities' | 'temporal';

/** Attempts per activity, as the workflows' retry policies allow (workflows/activity-options.ts). */
const MAX_ATTEMPTS = 8;

let caseNumber = 0;

/** One scenario run against the stack; returns every broken rule, by family. */
export async function runScenario(stack: Stack, scenario: Scenario, driver: Driver): Promise<Violations> {
  const c = new Case(stack, scenario, driver);
  let t = Date.now();
  const lap = (what: string) => { if (process.env.PROPERTY_TRACE) process.stderr.write(`${what} ${Date.now() - t} ms\n`); t = Date.now(); };
  await c.setUp();
  lap('setup');
  for (const [index, cmd] of scenario.commands.entries()) { await c.apply(index, cmd); lap(cmd.kind); }
  // The final quiet run: no faults, the integration on, one last sync (issue 13, "Proof").
  // Adjustments that never applied wait for the MSP (docs/design.md rule 8): it abandons them first.
  const n = scenario.commands.length;
  if (!c.model.enabled) await c.apply(n, { kind: 'toggle', enabled: true }, 'final');
  if (c.waitingDrops) await c.apply(n + 1, { kind: 'abandon' }, 'final');
  await c.apply(n + 2, { kind: 'sync', faults: [] }, 'final');
  return c.violations;
}

class Case {
  readonly partnerId = `prop-${++caseNumber}-${randomBytes(3).toString('hex')}`;
  readonly model: ModelState;
  readonly violations: Violations = { units: [], writes: [], ownership: [], ledger: [], outcomes: [] };
  /** Pairs that met a `late` or `dropped` adjustment: whether the ledger adopted them is not the model's to say. */
  private readonly fuzzy = new Set<string>();
  /** Adjustments Autotask accepted and never applied (`dropped`), by pair, until the MSP abandons them. */
  private readonly drops = new Map<string, number>();
  private readonly act: Activities;
  private label = '';

  constructor(private readonly stack: Stack, private readonly scenario: Scenario, private readonly driver: Driver) {
    this.model = initialState(scenario);
    this.act = createActivities(stack.deps);
  }

  get waitingDrops(): number {
    return this.drops.size;
  }

  private get sim() {
    return this.stack.sims.autotask;
  }

  private fail(family: Family, message: string) {
    this.violations[family].push(`${this.label}: ${message}`);
  }

  private async api(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) {
    const res = await this.stack.app.inject({ method, url: `/v1/partners/${this.partnerId}${url}`, headers: bearer(this.stack.adminKey), ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.json() as unknown, text: res.body };
  }

  private async expectApi(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object, status = 200) {
    const res = await this.api(method, url, payload);
    // A refused set-up or mapping call is not a billing rule: the harness cannot go on without it.
    if (res.status !== status) throw new Error(`${this.label}: ${method} ${url} answered ${res.status}, expected ${status}: ${res.text}`);
    return res.body;
  }

  // --- set-up -----------------------------------------------------------------------------------

  async setUp() {
    this.label = 'set-up';
    // Cases share nothing: each starts from empty tables, so the hundredth is as cheap as the first.
    await emptyTables(this.stack.deps.db);
    const { autotask, passwordboss } = this.stack.sims;
    autotask.state.load(atFixture(this.scenario.companies));
    // A double zeroing must show as negative units, not hide behind the simulator's refusal.
    autotask.state.rules.rejectNegativeUnits = false;
    autotask.faults.clear();
    autotask.faults.log = [];
    // Each case starts a fresh hour: hundreds of cases would otherwise spend the simulated tenant's
    // hourly threshold and meet 429 at Authenticate. Through the simulator's own control API.
    const usage = await fetch(`${this.stack.sims.autotaskUrl}/_sim/usage`, { method: 'DELETE' });
    if (!usage.ok) throw new Error(`resetting the Autotask simulator's hourly usage answered ${usage.status}`);
    passwordboss.upsertPartner(pbPartner(this.partnerId, this.scenario.companies, this.model.counts));
    const admin = bearer(this.stack.adminKey);
    const created = await this.stack.app.inject({ method: 'POST', url: '/v1/partners', headers: admin, payload: { id: this.partnerId, name: 'Property MSP', timezone: 'America/New_York' } });
    if (created.statusCode !== 201) throw new Error(`creating partner: ${created.body}`);
    await this.expectApi('PUT', '/autotask', { username: credentials.username, secret: credentials.secret, enabled: true });
    await this.putProducts();
    await this.expectApi('GET', '/company-mappings?limit=1&refresh=true');
    for (const [i, company] of this.model.companies.entries()) {
      if (company.contract) await this.expectApi('PUT', `/company-mappings/${companyId(i)}`, { autotaskCompanyId: atCompanyId(company.contract.owner), autotaskContractId: company.contract.id });
    }
  }

  private putProducts() {
    return this.expectApi('PUT', '/product-mappings', { mappings: PRODUCTS.map((p) => ({ productId: p, autotaskServiceId: this.model.products.get(p) ?? null })) });
  }

  // --- commands ---------------------------------------------------------------------------------

  async apply(index: number, cmd: Command, note = '') {
    this.label = `#${index}${note ? ` (${note})` : ''} ${JSON.stringify(cmd)}`;
    switch (cmd.kind) {
      case 'count':
        applyToModel(this.model, cmd);
        this.stack.sims.passwordboss.partner(this.partnerId)!.months[0]!.counts = pbCounts(this.model.counts);
        break;
      case 'productService':
        applyToModel(this.model, cmd);
        await this.putProducts();
        break;
      case 'map': {
        const expected = applyToModel(this.model, cmd);
        const res = await this.api('PUT', `/company-mappings/${companyId(cmd.company)}`, { autotaskCompanyId: atCompanyId(cmd.owner), autotaskContractId: contractIdOf(cmd.owner, cmd.slot) });
        const code = (res.body as { error?: { code?: string } }).error?.code;
        if (expected === 'taken' ? res.status !== 422 || code !== 'contract_taken' : res.status !== 200) {
          throw new Error(`${this.label}: expected ${expected === 'taken' ? '422 contract_taken' : '200'}, got ${res.status}: ${res.text}`);
        }
        break;
      }
      case 'unmap':
      case 'exclude': {
        const expectedLeft = leftBehind(this.model, cmd.company).filter((k) => !this.fuzzy.has(k)).sort();
        applyToModel(this.model, cmd);
        const url = `/company-mappings/${companyId(cmd.company)}?release=${cmd.release}`;
        const body = (cmd.kind === 'unmap' ? await this.expectApi('DELETE', url) : await this.expectApi('PUT', url, { excluded: true })) as { leftBehind?: Array<{ contractId: number; serviceId: number; units: number }> };
        const answered = (body.leftBehind ?? []).map((p) => pairKey(p.contractId, p.serviceId)).filter((k) => !this.fuzzy.has(k)).sort();
        if (answered.join() !== expectedLeft.join()) this.fail('ownership', `leftBehind is [${answered.join(', ')}], the pairs it owns with units are [${expectedLeft.join(', ')}]`);
        break;
      }
      case 'include':
        applyToModel(this.model, cmd);
        await this.expectApi('PUT', `/company-mappings/${companyId(cmd.company)}`, { excluded: false });
        break;
      case 'toggle':
        applyToModel(this.model, cmd);
        await this.expectApi('PATCH', '/autotask', { enabled: cmd.enabled });
        break;
      case 'sync':
      case 'overlap':
      case 'disableMidRun':
        await this.sync(cmd);
        break;
      case 'abandon':
        await this.abandonDrops();
        break;
    }
    this.checkNeverNegative();
    await this.checkStatuses();
  }

  /** The MSP abandons every dropped adjustment: listed as waiting, then abandoned on the record. */
  private async abandonDrops() {
    const listed = (await this.expectApi('GET', '/pending-adjustments?limit=500')) as { items: Array<{ adjustmentId: number | null; resolution: string | null }> };
    const waiting = new Set(listed.items.filter((i) => i.resolution === null).map((i) => i.adjustmentId));
    for (const [key, id] of this.drops) {
      if (!waiting.has(id)) this.fail('outcomes', `dropped adjustment ${id} on ${key} is not listed as waiting (${JSON.stringify(listed.items)})`);
      const res = (await this.expectApi('POST', `/pending-adjustments/${id}/abandon`)) as { resolution: string; resolvedBy: string | null };
      if (res.resolution !== 'abandoned' || res.resolvedBy !== 'admin') this.fail('outcomes', `abandoning adjustment ${id} answered ${JSON.stringify(res)}`);
    }
    this.drops.clear();
  }

  // --- a sync and what it must have done ----------------------------------------------------------

  private async sync(cmd: Extract<Command, { kind: 'sync' | 'overlap' | 'disableMidRun' }>) {
    const enabledAtStart = this.model.enabled;
    const targets = predict(this.model);
    // Units before the sync, on the date the rules write each pair (a handover may be mid-period).
    const before = new Map(allPairs(this.scenario.companies).map((p) => {
      const key = pairKey(p.contractId, p.serviceId);
      return [key, this.units(p.contractId, p.serviceId, targets.get(key)?.effectiveDate ?? p.effectiveDate)];
    }));
    const handBacks = this.handBacks(targets);
    const mark = this.sim.state.adjustments.length;
    const faults = cmd.kind === 'sync' ? cmd.faults : [];
    for (const f of faults) this.sim.faults.add(faultRule(f));

    let runIds: string[];
    try {
      if (cmd.kind === 'overlap') runIds = await this.overlappingRuns();
      else if (cmd.kind === 'disableMidRun') runIds = [await this.runDisabledMidway()];
      else runIds = [await this.oneRun()];
    } finally {
      this.sim.faults.clear();
    }
    const runs = await Promise.all(runIds.map(async (id) => (await this.expectApi('GET', `/sync-runs/${id}`)) as RunView));
    const posted = this.sim.state.adjustments.slice(mark);
    const mayWrite = enabledAtStart && cmd.kind !== 'disableMidRun';

    // Never a second post while an adjustment waits (the 8 × +10 = 80 units of issue 13).
    for (const a of posted) {
      const key = pairKey(a.contractID, a.serviceID);
      if (this.drops.has(key)) this.fail('writes', `pair ${key} waits for dropped adjustment ${this.drops.get(key)}, yet adjustment ${a.id} (${a.unitChange}) was posted`);
    }
    this.checkWrites(posted, targets, before, mayWrite, handBacks);
    const waiting = new Map([...this.drops].filter(([key]) => targets.has(key)));
    for (const a of posted) if (a.applied === 'never') this.drops.set(pairKey(a.contractID, a.serviceID), a.id);
    const confirmed = posted.filter(isConfirmed);
    for (const a of posted) if (!isConfirmed(a)) this.fuzzy.add(pairKey(a.contractID, a.serviceID));
    for (const a of confirmed) {
      const target = targets.get(pairKey(a.contractID, a.serviceID));
      if (target) recordWrite(this.model, target, this.units(a.contractID, a.serviceID, target.effectiveDate));
    }

    const quiet = faults.length === 0 && cmd.kind === 'sync' && enabledAtStart;
    // A billed pair that already holds its count is adopted without a write (planning records
    // it in the ledger): after a quiet run every such pair is its company's, written or not.
    if (quiet) {
      for (const [key, t] of targets) {
        if (t.why !== 'count' || this.fuzzy.has(key) || waiting.has(key)) continue;
        const now = this.units(t.contractId, t.serviceId, t.effectiveDate);
        if (now === t.to) recordWrite(this.model, t, now);
      }
    }
    if (quiet) this.checkQuietUnits(targets, waiting, posted);
    await this.checkOwnership(targets, before, posted, quiet);
    this.checkOutcomes(cmd, runs, posted, targets, before, enabledAtStart, quiet, waiting);
    // Already disabled at the start, the run ends skipped at once and touches no company.
    if (cmd.kind === 'disableMidRun' && enabledAtStart) await this.checkSkippedMidway(targets, before);
  }

  /** Units a pair will carry on a date once every accepted adjustment has landed (a `late` one included). */
  private units(contractId: number, serviceId: number, date: string): number {
    const cs = this.sim.state.findContractService(contractId, serviceId);
    if (!cs) return 0;
    return this.sim.state.adjustments.filter((a) => a.contractServiceID === cs.id && a.applied !== 'never' && a.effectiveDate <= date).reduce((sum, a) => sum + a.unitChange, 0);
  }

  private checkWrites(posted: StoredAdjustment[], targets: Map<string, PairTarget>, before: Map<string, number>, mayWrite: boolean, handBacks: Map<string, { date: string; units: number }>) {
    const byPair = new Map<string, StoredAdjustment[]>();
    for (const a of posted) byPair.set(pairKey(a.contractID, a.serviceID), [...(byPair.get(pairKey(a.contractID, a.serviceID)) ?? []), a]);
    if (!mayWrite && posted.length) this.fail('writes', `the integration was disabled, yet ${posted.length} adjustment(s) were posted (${[...byPair.keys()].join(', ')})`);
    for (const [key, list] of byPair) {
      const changes = list.map((a) => `${a.unitChange > 0 ? '+' : ''}${a.unitChange}@${a.effectiveDate}`).join(', ');
      if (list.length > 1) this.fail('writes', `pair ${key} got ${list.length} adjustments in one sync (${changes})`);
      const target = targets.get(key);
      const from = before.get(key) ?? 0;
      if (!target) {
        // Owned pairs that are not targets are stops: the ownership family reports those.
        if (!this.model.owned.has(key) && !this.fuzzy.has(key)) this.fail('writes', `pair ${key} is neither billed nor owned, yet was adjusted (${changes})`);
        continue;
      }
      const back = handBacks.get(key);
      if (back) {
        if (list[0]!.unitChange !== target.to - back.units || list[0]!.effectiveDate !== back.date) this.fail('writes', `pair ${key} should be handed back ${back.units} → ${target.to} from ${back.date}, but the adjustment was ${changes}`);
        continue;
      }
      if (from === target.to) this.fail('writes', `pair ${key} already held ${from} (${target.why}), yet was adjusted (${changes})`);
      else if (list[0]!.unitChange !== target.to - from) this.fail('writes', `pair ${key} should go ${from} → ${target.to} (${target.why}), but the adjustment was ${changes}`);
      if (list[0]!.effectiveDate !== target.effectiveDate) this.fail('units', `pair ${key} was adjusted from ${list[0]!.effectiveDate}, its contract's effective date is ${target.effectiveDate}`);
    }
  }

  /** After a sync with no faults: every billed pair carries its count (rule 7). */
  private checkQuietUnits(targets: Map<string, PairTarget>, waiting: Map<string, number>, posted: StoredAdjustment[]) {
    for (const [key, t] of targets) {
      if (t.why !== 'count' || waiting.has(key)) continue;
      const now = this.units(t.contractId, t.serviceId, t.effectiveDate);
      if (now !== t.to) this.fail('units', `billed pair ${key} (company ${companyId(t.company)}, ${t.products.join('+')}) holds ${now} on ${t.effectiveDate}, the month-end count is ${t.to}`);
      // Moved and back: the whole period bills the count again, unless this run had to write the
      // company's own date first (one adjustment per pair and run; the next run hands back).
      const later = this.laterChange(t);
      const wroteOwnDate = posted.some((a) => pairKey(a.contractID, a.serviceID) === key && a.effectiveDate === t.effectiveDate);
      if (later && !wroteOwnDate && !this.fuzzy.has(key)) {
        const then = this.units(t.contractId, t.serviceId, later);
        if (then !== t.to) this.fail('units', `billed pair ${key} (company ${companyId(t.company)}) holds ${t.to} on ${t.effectiveDate} but ${then} from ${later}: moved away and back, it must bill ${t.to} for the whole period`);
      }
    }
  }

  /** The latest date after a billed pair's own on which its units changed inside the period (a move away zeroed it there). */
  private laterChange(t: PairTarget): string | undefined {
    const cs = this.sim.state.findContractService(t.contractId, t.serviceId);
    if (!cs) return undefined;
    const dates = this.sim.state.adjustments.filter((a) => a.contractServiceID === cs.id && a.applied !== 'never' && a.effectiveDate > t.effectiveDate && a.effectiveDate <= PERIOD_END).map((a) => a.effectiveDate);
    return dates.sort().at(-1);
  }

  /**
   * Pairs a sync must hand back (rule 8b, moved and back): already right on their own date, but
   * not from a later date in the period where a move zeroed them. Written from that date instead.
   */
  private handBacks(targets: Map<string, PairTarget>): Map<string, { date: string; units: number }> {
    const out = new Map<string, { date: string; units: number }>();
    for (const [key, t] of targets) {
      const date = t.why === 'count' && !this.fuzzy.has(key) ? this.laterChange(t) : undefined;
      if (date === undefined) continue;
      const units = this.units(t.contractId, t.serviceId, date);
      if (units !== t.to && this.units(t.contractId, t.serviceId, t.effectiveDate) === t.to) out.set(key, { date, units });
    }
    return out;
  }

  private checkNeverNegative() {
    for (const cs of this.sim.state.data.contractServices) {
      for (const row of this.sim.state.unitsOf(cs.id)) {
        if (row.units < 0) {
          this.fail('units', `contract ${cs.contractID} service ${cs.serviceID} holds ${row.units} units from ${row.startDate}`);
          return;
        }
      }
    }
  }

  private async checkOwnership(targets: Map<string, PairTarget>, before: Map<string, number>, posted: StoredAdjustment[], quiet: boolean) {
    // Stops keep their units (rule 8b): an owned pair the rules do not write is not written.
    for (const a of posted) {
      const key = pairKey(a.contractID, a.serviceID);
      if (!targets.has(key) && this.model.owned.has(key) && !this.fuzzy.has(key)) {
        this.fail('ownership', `pair ${key} was stopped (owner ${companyId(this.model.owned.get(key)!.company)}), it must keep ${before.get(key)} units, yet was adjusted by ${a.unitChange}`);
      }
    }
    if (!quiet) return;
    // Moves and releases reach 0 in the run that sees them.
    for (const [key, t] of targets) {
      if (t.why === 'count' || this.fuzzy.has(key)) continue;
      const now = this.units(t.contractId, t.serviceId, t.effectiveDate);
      if (now !== 0) this.fail('ownership', `pair ${key} should be 0 (${t.why} away from company ${companyId(t.company)}), it holds ${now}`);
    }
    // The ledger owns what the model owns: the latest confirmed write per pair, by whom.
    const ledger = (await this.expectApi('GET', '/billing-ledger?limit=1')) as { owned: Array<{ contractId: number; serviceId: number; units: number; pbCompanyId: string }> };
    const seen = new Set<string>();
    const actual = new Map<string, string>();
    for (const p of ledger.owned) {
      const key = pairKey(p.contractId, p.serviceId);
      if (seen.has(key)) this.fail('ledger', `pair ${key} is owned twice in the ledger`);
      seen.add(key);
      if (!this.fuzzy.has(key)) actual.set(key, `${p.pbCompanyId}:${p.units}`);
    }
    const expected = new Map([...this.model.owned].filter(([k]) => !this.fuzzy.has(k)).map(([k, o]) => [k, `${companyId(o.company)}:${o.units}`]));
    const show = (m: Map<string, string>) => [...m].sort().map(([k, v]) => `${k}=${v}`).join(', ') || 'nothing';
    if (show(actual) !== show(expected)) this.fail('ledger', `the ledger owns ${show(actual)}; the confirmed writes give ${show(expected)}`);
  }

  private checkOutcomes(cmd: Command, runs: RunView[], posted: StoredAdjustment[], targets: Map<string, PairTarget>, before: Map<string, number>, enabledAtStart: boolean, quiet: boolean, waiting: Map<string, number>) {
    const results = runs.flatMap((r) => r.results);
    // Two starts while disabled both end skipped and leave every status as the last run left it.
    this.afterOverlap = cmd.kind === 'overlap' && enabledAtStart;
    if (!enabledAtStart) {
      for (const r of runs) if (r.status !== 'skipped') this.fail('outcomes', `a run started while disabled ended ${r.status}, not skipped`);
      return;
    }
    // Every confirmed write is reported as a confirmed change; every unapplied one as an error naming it.
    for (const a of posted) {
      const key = pairKey(a.contractID, a.serviceID);
      // What this adjustment left, counting the ones posted before it (two runs may post on one pair).
      const after = this.sim.state.adjustments.filter((b) => b.contractServiceID === a.contractServiceID && b.id <= a.id && b.applied !== 'never' && b.effectiveDate <= a.effectiveDate).reduce((sum, b) => sum + b.unitChange, 0);
      if (isConfirmed(a)) {
        if (!results.some((r) => r.autotaskServiceId === a.serviceID && r.status === 'ok' && r.action === 'set' && r.unitsAfter === after)) {
          this.fail('outcomes', `adjustment ${a.id} on ${key} (${a.unitChange}) landed, but no result says "set … → ${after}" (results for service ${a.serviceID}: ${describe(results.filter((r) => r.autotaskServiceId === a.serviceID).slice(0, 4))})`);
        }
      } else if (!results.some((r) => r.status === 'error' && (r.detail ?? '').includes(String(a.id)))) {
        this.fail('outcomes', `adjustment ${a.id} on ${key} was accepted but not applied (${a.applied}); no error result names it`);
      }
    }
    const confirmed = posted.filter(isConfirmed);
    const reported = runs.reduce((n, r) => n + r.adjustments, 0);
    if (cmd.kind !== 'disableMidRun' && reported !== confirmed.length) this.fail('outcomes', `the run(s) count ${reported} adjustments, ${confirmed.length} landed and read back`);
    if (!quiet) return;
    const run = runs[0]!;
    // Rule 8: every run that reaches a pair still waiting for a dropped adjustment says so, naming it.
    this.waitingCompanies = new Map();
    for (const [key, id] of waiting) {
      const t = targets.get(key)!;
      this.waitingCompanies.set(t.company, [...(this.waitingCompanies.get(t.company) ?? []), id]);
      if (!results.some((r) => r.status === 'error' && r.adjustmentId === id && (r.detail ?? '').includes(`/pending-adjustments/${id}/abandon`))) {
        this.fail('outcomes', `pair ${key} waits for dropped adjustment ${id}; no error result names it and says how to abandon it (${describe(results.filter((r) => r.autotaskServiceId === t.serviceId).slice(0, 4))})`);
      }
    }
    // Rule 9: a run with nothing to do is skipped; one without faults otherwise ends ok, unless an
    // adjustment waits: then its company fails (warning, or error when it was the only one).
    // A release the MSP asked for is work even when nothing is mapped any more.
    const work = this.model.companies.some((c) => c.contract && !c.excluded) || [...targets.values()].some((t) => t.why === 'release');
    const expected = work ? (waiting.size ? ['warning', 'error'] : ['ok']) : ['skipped'];
    if (!expected.includes(run.status)) this.fail('outcomes', `a sync without faults ended ${run.status}, not ${expected.join(' or ')}: ${run.detail ?? ''} ${describe(results.filter((r) => r.status !== 'ok').slice(0, 4))}`);
    const changed = confirmed.reduce((n, a) => n + Math.abs(a.unitChange), 0);
    if (run.unitsChanged !== changed) this.fail('outcomes', `the run says ${run.unitsChanged} units changed, the adjustments moved ${changed}`);
    this.quietCompanies = new Map();
    for (const t of targets.values()) {
      const from = before.get(pairKey(t.contractId, t.serviceId)) ?? 0;
      if (t.why === 'count' && from !== t.to) this.quietCompanies.set(t.company, [...(this.quietCompanies.get(t.company) ?? []), `${from} → ${t.to}`]);
    }
    this.afterQuietRun = true;
  }

  private quietCompanies = new Map<number, string[]>();
  /** After a quiet run: companies with a pair waiting for a dropped adjustment, and its ids. */
  private waitingCompanies = new Map<number, number[]>();
  private afterQuietRun = false;
  private afterOverlap = false;

  /** Company statuses after every command (rule 9); after a quiet run, ok with its changes in the detail. */
  private async checkStatuses() {
    const list = (await this.expectApi('GET', '/company-mappings?limit=500')) as { items: Array<{ pbCompanyId: string; status: string; detail: string | null; mapped: boolean; excluded: boolean }> };
    const byId = new Map(list.items.map((i) => [i.pbCompanyId, i]));
    for (const [i, c] of this.model.companies.entries()) {
      const row = byId.get(companyId(i));
      if (!row) {
        this.fail('outcomes', `company ${companyId(i)} is missing from the mapping list`);
        continue;
      }
      if (c.excluded && row.status !== 'excluded') this.fail('outcomes', `company ${companyId(i)} is excluded but shows ${row.status}`);
      if (!c.excluded && row.status === 'excluded') this.fail('outcomes', `company ${companyId(i)} is not excluded (${c.contract ? 'mapped' : 'unmapped'}) but shows excluded`);
      if (row.status === 'syncing') this.fail('outcomes', `company ${companyId(i)} still shows syncing after the command`);
      // Rule 12: the losing start of two ends at once; it never records a company as skipped over the other's outcome.
      if (this.afterOverlap && row.status === 'skipped') this.fail('outcomes', `after two overlapping starts company ${companyId(i)} shows skipped: ${row.detail}`);
      const waitsFor = this.waitingCompanies.get(i);
      if (this.afterQuietRun && waitsFor && c.contract && !c.excluded) {
        if (row.status !== 'error' || !waitsFor.some((id) => (row.detail ?? '').includes(String(id)))) this.fail('outcomes', `company ${companyId(i)} waits for dropped adjustment(s) ${waitsFor.join(', ')} but shows ${row.status}: ${row.detail}`);
      } else if (this.afterQuietRun && c.contract && !c.excluded) {
        if (row.status !== 'ok') this.fail('outcomes', `after a sync without faults company ${companyId(i)} shows ${row.status}: ${row.detail}`);
        for (const change of this.quietCompanies.get(i) ?? []) {
          if (!(row.detail ?? '').includes(change)) this.fail('outcomes', `company ${companyId(i)}'s detail does not say ${change}: ${row.detail}`);
        }
      }
    }
    this.afterQuietRun = false;
    this.afterOverlap = false;
    this.quietCompanies = new Map();
    this.waitingCompanies = new Map();
  }

  /** Disabled between planning and the first write: nothing written, the companies with writes end skipped (rule 4). */
  private async checkSkippedMidway(targets: Map<string, PairTarget>, before: Map<string, number>) {
    const list = (await this.expectApi('GET', '/company-mappings?limit=500')) as { items: Array<{ pbCompanyId: string; status: string }> };
    const pending = new Set([...targets.values()].filter((t) => t.why === 'count' && (before.get(pairKey(t.contractId, t.serviceId)) ?? 0) !== t.to).map((t) => companyId(t.company)));
    for (const row of list.items) if (pending.has(row.pbCompanyId) && row.status !== 'skipped') this.fail('outcomes', `company ${row.pbCompanyId} had writes pending when the integration was disabled mid-run, but shows ${row.status}, not skipped`);
  }

  // --- the drivers ------------------------------------------------------------------------------

  private async oneRun(): Promise<string> {
    if (this.driver === 'temporal') return (await this.startWorkflows(['now']))[0]!;
    const run = new ActivityRun(this.act, this.partnerId, partnerWorkflowId(this.partnerId, 'now'));
    await run.all();
    return run.runId;
  }

  /**
   * Two runs of the partner at once, as a schedule and a Sync now (different workflow IDs) would
   * start them. Through the activities, the worst interleaving: both plan before either writes.
   */
  private async overlappingRuns(): Promise<string[]> {
    if (this.driver === 'temporal') return this.startWorkflows(['now', 'scheduled']);
    const a = new ActivityRun(this.act, this.partnerId, partnerWorkflowId(this.partnerId, 'scheduled'), 'schedule');
    const b = new ActivityRun(this.act, this.partnerId, partnerWorkflowId(this.partnerId, 'now'));
    const [goA, goB] = [await a.start(), await b.start()];
    const [companiesA, companiesB] = [goA ? await a.plan() : [], goB ? await b.plan() : []];
    for (let i = 0; i < Math.max(companiesA.length, companiesB.length); i++) {
      if (companiesA[i]) await a.applyCompany(companiesA[i]!);
      if (companiesB[i]) await b.applyCompany(companiesB[i]!);
    }
    await a.finish();
    await b.finish();
    return [a.runId, b.runId];
  }

  /** A run whose integration is switched off after it planned, before its first company writes. */
  private async runDisabledMidway(): Promise<string> {
    const run = new ActivityRun(this.act, this.partnerId, partnerWorkflowId(this.partnerId, 'now'));
    const companies = (await run.start()) ? await run.plan() : [];
    applyToModel(this.model, { kind: 'toggle', enabled: false });
    await this.expectApi('PATCH', '/autotask', { enabled: false });
    for (const c of companies) await run.applyCompany(c);
    await run.finish();
    return run.runId;
  }

  private async startWorkflows(kinds: Array<'now' | 'scheduled'>): Promise<string[]> {
    const handles = await Promise.all(kinds.map((kind) =>
      this.stack.client.workflow.start('partnerSync', {
        taskQueue: this.stack.taskQueue,
        workflowId: partnerWorkflowId(this.partnerId, kind),
        args: [{ partnerId: this.partnerId, trigger: kind === 'now' ? 'manual' : 'schedule' }],
        typedSearchAttributes: [{ key: PartnerIdKey, value: this.partnerId }],
        workflowExecutionTimeout: '3 minutes',
      })
    ));
    await Promise.all(handles.map((h) => h.result()));
    return handles.map((h) => h.firstExecutionRunId);
  }
}

/** Applied when Autotask answered it, not held back by a `late` or `dropped` fault. */
function isConfirmed(a: StoredAdjustment): boolean {
  return a.applied === 'yes' && a.readsLeft === undefined && a.appliesAt === undefined;
}

function describe(rows: RunView['results']): string {
  return rows.map((r) => `[${r.pbCompanyId} ${r.autotaskServiceId ?? '-'} ${r.action}/${r.status} ${r.unitsBefore}→${r.unitsAfter} ${r.errorType ?? ''} ${r.detail ?? ''}]`).join(' ') || 'none';
}

const PATHS: Record<FaultSpec['target'], string | undefined> = {
  adjustments: 'ServiceAdjustments',
  units: 'ContractServiceUnits',
  contracts: '/Contracts/query',
  any: undefined,
};

export function faultRule(f: FaultSpec): FaultRule {
  const fault = ((): FaultRule['fault'] => {
    switch (f.kind) {
      case 'rate_limit': return { kind: 'status', status: 429, headers: { 'Retry-After': '0' }, body: { errors: ['Request Threshold Exceeded'] } };
      case 'unexpected_500': return { kind: 'status', status: 500, body: { errors: ['An unexpected error has occurred. If the problem persists, please contact Autotask Support.'] } };
      case 'refusal_500': return { kind: 'status', status: 500, body: { errors: ['The contract service adjustment could not be saved.'] } };
      case 'reset': return { kind: 'reset' };
      case 'lost': return { kind: 'lost' };
      case 'late': return { kind: 'late', reads: 1 };
      case 'dropped': return { kind: 'dropped' };
      case 'garbled': return { kind: 'garbled', status: 200, body: {} };
    }
  })();
  const path = PATHS[f.target];
  return { ...(f.target === 'any' ? {} : { method: 'POST' }), ...(path ? { path } : {}), after: f.after, times: f.times, fault };
}

// --- driver (a): the real activities, sequenced like partnerSync and companySync ---------------

const quietLogger = new DefaultLogger('ERROR');
const attempt = <I, O>(fn: (input: I) => Promise<O>, input: I): Promise<O> => new MockActivityEnvironment(undefined, { logger: quietLogger }).run(fn, input) as Promise<O>;

/** Runs an activity the way Temporal would: retried on any failure but a non-retryable one, a bounded number of times. */
async function withRetries<I, O>(fn: (input: I) => Promise<O>, input: I): Promise<O> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(fn, input);
    } catch (err) {
      if ((err instanceof ApplicationFailure && err.nonRetryable) || n >= MAX_ATTEMPTS) throw err;
    }
  }
}

/**
 * One run through `createActivities(deps)` without Temporal, step for step what
 * workflows/partner-sync.ts and workflows/company-sync.ts do (record, check the switch, plan,
 * each company's writes with their retries, finish). If those workflows change their sequence,
 * this is the one place to follow them.
 */
class ActivityRun {
  readonly runId = randomUUID();
  private detail: string | null = null;
  /** The run's effective date, which partnerSync passes to every company. */
  private effectiveDate = '';
  private timezone = 'UTC';
  private ended: { status: 'skipped' | 'error'; detail: string } | undefined;

  constructor(private readonly act: Activities, private readonly partnerId: string, private readonly workflowId: string, private readonly trigger: 'manual' | 'schedule' = 'manual') {}

  async all() {
    if (await this.start()) for (const c of await this.plan()) await this.applyCompany(c);
    await this.finish();
  }

  /** Records the run and reads the switches; false when the run may not write. */
  async start(): Promise<boolean> {
    const started = await withRetries(this.act.startRun, { partnerId: this.partnerId, runId: this.runId, workflowId: this.workflowId, trigger: this.trigger, dryRun: false });
    const verdict = maySync(started, false);
    if (!verdict.may) this.ended = { status: 'skipped', detail: verdict.detail };
    this.timezone = started.timezone;
    return verdict.may;
  }

  async plan(): Promise<CompanyPlan[]> {
    let planned;
    try {
      planned = await withRetries(this.act.planRun, { partnerId: this.partnerId, runId: this.runId, dryRun: false, timezone: this.timezone });
    } catch (err) {
      const cause = err instanceof ApplicationFailure ? err : undefined;
      const detail = cause?.message ?? (err as Error).message;
      await withRetries(this.act.failCompanies, { runId: this.runId, partnerId: this.partnerId, errorType: cause?.type ?? 'PlanningFailed', detail });
      this.ended = { status: 'error', detail };
      return [];
    }
    if (planned.state === 'nothing_to_do') {
      this.ended = { status: 'skipped', detail: planned.detail };
      return [];
    }
    this.detail = planned.detail;
    this.effectiveDate = planned.effectiveDate;
    const plans: CompanyPlan[] = [];
    for (let after = 0; ;) {
      const page = await withRetries(this.act.listRunCompanies, { runId: this.runId, afterPosition: after, limit: 200 });
      if (!page.length) return plans;
      plans.push(...page.map((p) => p.plan));
      after = page.at(-1)!.position;
    }
  }

  async applyCompany(plan: CompanyPlan) {
    const record = (results: Array<ProductResult | undefined>, failure: { type: string; detail: string }) => {
      const outcome = companyOutcome(plan, results.map((r, i) => r ?? failedResult(plan.actions[i]!, failure.type, failure.detail)), false);
      return withRetries(this.act.recordCompanyResult, { runId: this.runId, partnerId: this.partnerId, pbCompanyId: plan.pbCompanyId, contractId: plan.contractId, dryRun: false, ...outcome });
    };
    const withoutWrites = plan.actions.map((a) => resultWithoutWrite(a, false));
    // Nothing to write: companySync records the outcome itself.
    if (withoutWrites.every((r) => r !== undefined)) return void (await record(withoutWrites, { type: 'Unknown', detail: '' }));
    try {
      await withRetries(this.act.applyCompanyPlan, { partnerId: this.partnerId, runId: this.runId, effectiveDate: this.effectiveDate, dryRun: false, plan });
    } catch (err) {
      // Retries ran out: the company gets the reason, as companySync records it.
      const failure = err instanceof ApplicationFailure ? err : undefined;
      await record(withoutWrites, { type: failure?.type ?? 'Unknown', detail: `${failure?.message ?? (err as Error).message} — the sync gave up on this company for now; the next sync tries again` });
    }
  }

  async finish() {
    await withRetries(this.act.finishRun, { runId: this.runId, ...(this.ended ? { status: this.ended.status } : {}), detail: this.ended?.detail ?? this.detail });
  }
}

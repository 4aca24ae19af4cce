/**
 * Approval over the real stack (issue 17): in review mode a change beyond a guardrail is held
 * (nothing written, the run says how many), the other companies are written; Approve writes
 * exactly the held change (409 `plan_changed` and nothing written when the counts moved);
 * Reject leaves Autotask untouched. Nothing but Approve lets a change past a guardrail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner, syncNow, type RunView } from '../support/partner-setup.ts';
import { randomUUID } from 'node:crypto';
import { findUsableGrants, grantApprovals } from '../../db/repositories/approval.ts';
import { heldChanges } from '../../sync/approval.ts';
import { canonicalChanges } from '../../sync/preview.ts';

let stack: Stack;
const inject = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) => stack.app.inject({ method, url, headers: bearer(stack.adminKey), ...(payload ? { payload } : {}) });
const base = () => `/v1/partners/${stack.partnerId}`;
const pb = () => stack.sims.passwordboss.partner(stack.partnerId)!;
const latest = () => pb().months.filter((m) => m.final).sort((a, b) => a.month.localeCompare(b.month)).at(-1)!;
const state = () => stack.sims.autotask.state;
const standardRow = (pbCompanyId: string) => latest().counts.find((c) => c.companyId === pbCompanyId && c.productId === 'pb-standard')!;
const bump = (pbCompanyId: string, by: number) => {
  const row = standardRow(pbCompanyId);
  row.users += by;
  row.licenses += by;
};
const unitsOn = (contractId: number, serviceId: number, date: string) => {
  const cs = state().contractServicesOf(contractId).find((x) => x.serviceID === serviceId);
  return cs ? state().unitsAt(cs.id, date) : 0;
};
type Row = RunView['results'][number] & { autotaskContractId: number | null };
const rowsOf = (run: RunView, pbCompanyId: string) => (run.results as Row[]).filter((r) => r.pbCompanyId === pbCompanyId);
const runView = async (runId: string) => (await inject('GET', `${base()}/sync-runs/${runId}`)).json() as RunView;

let heldRun: RunView;
let approveMe: string;
let rejectMe: string;

beforeAll(async () => {
  stack = await startStack('pglite', { demo: { companies: 8 } });
  await setUpPartner(stack);
});
afterAll(async () => {
  await stack?.close();
});

describe('approval', () => {
  it('defaults to auto and validates the settings', async () => {
    expect((await inject('GET', `${base()}/approval`)).json()).toEqual({ mode: 'auto', maxSeatChange: null, maxPercentChange: null });
    for (const bad of [{ mode: 'manual', maxSeatChange: null, maxPercentChange: null }, { mode: 'review', maxSeatChange: -1, maxPercentChange: null }, { mode: 'review', maxSeatChange: 2.5, maxPercentChange: null }]) {
      expect((await inject('PUT', `${base()}/approval`, bad)).statusCode, JSON.stringify(bad)).toBe(400);
    }
  });

  it('holds the companies beyond a guardrail, writes the others, and says how many', async () => {
    // The largest change the demo data makes passes; two companies pushed far past it do not.
    const { run: preview } = await syncNow(stack, stack.partnerId, { dryRun: true });
    const moves = preview.results.filter((r) => r.action === 'would_set').map((r) => Math.abs(r.unitsAfter! - r.unitsBefore!));
    const limit = Math.max(0, ...moves);
    const companies = [...new Set(preview.results.filter((r) => r.autotaskServiceId === 301).map((r) => r.pbCompanyId))];
    expect(companies.length).toBeGreaterThanOrEqual(3);
    [approveMe, rejectMe] = companies as [string, string];
    bump(approveMe, limit + 50);
    bump(rejectMe, limit + 60);
    const saved = await inject('PUT', `${base()}/approval`, { mode: 'review', maxSeatChange: limit, maxPercentChange: null });
    expect(saved.json()).toEqual({ mode: 'review', maxSeatChange: limit, maxPercentChange: null });

    const adjustments = state().adjustments.length;
    const { run } = await syncNow(stack, stack.partnerId);
    heldRun = run;
    expect(run.status).toBe('held');
    expect(run.detail).toContain('2 companies held for approval');
    for (const id of [approveMe, rejectMe]) {
      const held = rowsOf(run, id).find((r) => r.autotaskServiceId === 301)!;
      expect(held).toMatchObject({ action: 'held', status: 'held', adjustmentId: null });
      expect(held.unitsAfter).toBe(standardRow(id).users);
      expect(unitsOn(held.autotaskContractId!, 301, run.effectiveDate!), id).toBe(held.unitsBefore);
      expect(rowsOf(run, id).every((r) => r.action === 'held')).toBe(true);
    }
    const others = run.results.filter((r) => r.pbCompanyId !== approveMe && r.pbCompanyId !== rejectMe);
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((r) => r.status === 'ok' && r.action !== 'held')).toBe(true);
    // Only the other companies' changes went out.
    const written = state().adjustments.length - adjustments;
    expect(written).toBe(others.filter((r) => r.action === 'set').length);
    const mappings = (await inject('GET', `${base()}/company-mappings?limit=100`)).json() as { items: Array<{ pbCompanyId: string; status: string; detail: string | null }> };
    const company = mappings.items.find((c) => c.pbCompanyId === approveMe)!;
    expect(company.status).toBe('held');
    expect(company.detail).toContain(`beyond the guardrail of ${limit} seats`);
  });

  it('cannot be bypassed through Sync now: an unknown field is refused, a plain run holds again', async () => {
    const bypass = await inject('POST', `${base()}/sync`, { bypassGuardrails: true });
    expect(bypass.statusCode).toBe(400);
    const { run } = await syncNow(stack, stack.partnerId, { companyIds: [approveMe] });
    expect(run.status).toBe('held');
    expect(rowsOf(run, approveMe).every((r) => r.action === 'held')).toBe(true);
  });

  it('refuses to approve when the counts moved since, and writes nothing', async () => {
    bump(approveMe, 1);
    const adjustments = state().adjustments.length;
    const res = await inject('POST', `${base()}/sync-runs/${heldRun.id}/approve`, { companyIds: [approveMe] });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error.code).toBe('plan_changed');
    expect(res.json().error.details.differences).toHaveLength(1);
    expect(state().adjustments.length).toBe(adjustments);
    bump(approveMe, -1);
  });

  it('refuses a company the run did not hold', async () => {
    const other = heldRun.results.find((r) => r.pbCompanyId !== approveMe && r.pbCompanyId !== rejectMe)!.pbCompanyId;
    const res = await inject('POST', `${base()}/sync-runs/${heldRun.id}/approve`, { companyIds: [other] });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('not_held');
  });

  it('writes an approved change into Autotask, exactly as held', async () => {
    const res = await inject('POST', `${base()}/sync-runs/${heldRun.id}/approve`, { companyIds: [approveMe] });
    expect(res.statusCode, res.body).toBe(202);
    const started = res.json() as { runId: string; workflowId: string; companyIds: string[] };
    expect(started.companyIds).toEqual([approveMe]);
    await stack.client.workflow.getHandle(started.workflowId, started.runId).result();
    const written = await runView(started.runId);
    expect(written.status).toBe('ok');
    const held = rowsOf(heldRun, approveMe).find((r) => r.autotaskServiceId === 301)!;
    expect(unitsOn(held.autotaskContractId!, 301, heldRun.effectiveDate!)).toBe(held.unitsAfter);
    // The held run shows the answer, and it is not answered twice.
    const answered = rowsOf(await runView(heldRun.id), approveMe);
    expect(answered.every((r) => r.action === 'approved' && r.detail!.includes(started.runId))).toBe(true);
    const again = await inject('POST', `${base()}/sync-runs/${heldRun.id}/approve`, { companyIds: [approveMe] });
    expect(again.json().error.code).toBe('not_held');
  });

  it('leaves Autotask untouched for a rejected change, and shows it in the run', async () => {
    const adjustments = state().adjustments.length;
    const res = await inject('POST', `${base()}/sync-runs/${heldRun.id}/reject`, {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ companyIds: [rejectMe] });
    expect(state().adjustments.length).toBe(adjustments);
    const rows = rowsOf(await runView(heldRun.id), rejectMe);
    expect(rows.every((r) => r.action === 'rejected' && r.status === 'rejected')).toBe(true);
    const held = rows.find((r) => r.autotaskServiceId === 301)!;
    expect(held.detail).toContain(`${held.unitsBefore} → ${held.unitsAfter} rejected`);
    expect(unitsOn(held.autotaskContractId!, 301, heldRun.effectiveDate!)).toBe(held.unitsBefore);
    const none = await inject('POST', `${base()}/sync-runs/${heldRun.id}/reject`, {});
    expect(none.json().error.code).toBe('nothing_held');
  });

  it('lets a grant past the guardrail only for exactly the approved changes, once', async () => {
    const rows = rowsOf(heldRun, rejectMe).map((r) => ({ ...r, pbCompanyId: rejectMe, action: 'held' }));
    const exact = canonicalChanges(heldChanges(rows));
    const stale = canonicalChanges(heldChanges(rows.map((r) => (r.autotaskServiceId === 301 ? { ...r, unitsAfter: r.unitsAfter! - 1 } : r))));
    await grantApprovals(stack.db.db, stack.partnerId, heldRun.id, [{ pbCompanyId: rejectMe, changes: stale }]);
    const { run: stillHeld } = await syncNow(stack, stack.partnerId, { companyIds: [rejectMe] });
    expect(rowsOf(stillHeld, rejectMe).every((r) => r.action === 'held')).toBe(true);
    await grantApprovals(stack.db.db, stack.partnerId, heldRun.id, [{ pbCompanyId: rejectMe, changes: exact }]);
    const { run: written } = await syncNow(stack, stack.partnerId, { companyIds: [rejectMe] });
    expect(written.status).toBe('ok');
    const held = rowsOf(heldRun, rejectMe).find((r) => r.autotaskServiceId === 301)!;
    expect(unitsOn(held.autotaskContractId!, 301, heldRun.effectiveDate!)).toBe(held.unitsAfter);
    // Used up by that run (the stale one stays useless): no later run can use either.
    expect((await findUsableGrants(stack.db.db, stack.partnerId, randomUUID(), [rejectMe])).map((g) => g.changes)).toEqual([stale]);
  });
  it('does not write a change rejected while its approval was planning again', async () => {
    bump(rejectMe, 500);
    const { run: held } = await syncNow(stack, stack.partnerId, { companyIds: [rejectMe] });
    expect(held.status).toBe('held');
    const adjustments = state().adjustments.length;
    // Approve waits for its checking dry run; the MSP's Reject lands inside that wait.
    const approving = inject('POST', `${base()}/sync-runs/${held.id}/approve`, { companyIds: [rejectMe] });
    await new Promise((r) => setTimeout(r, 50));
    const rejected = await inject('POST', `${base()}/sync-runs/${held.id}/reject`, { companyIds: [rejectMe] });
    expect(rejected.statusCode, rejected.body).toBe(200);
    const approved = await approving;
    expect(approved.statusCode, approved.body).toBe(409);
    expect(approved.json().error.code).toBe('nothing_held');
    expect(state().adjustments.length).toBe(adjustments);
    expect(rowsOf(await runView(held.id), rejectMe).every((r) => r.action === 'rejected')).toBe(true);
    expect(await findUsableGrants(stack.db.db, stack.partnerId, randomUUID(), [rejectMe])).toEqual([]);
  });

  it('takes back an unused grant on Reject: no later run writes a rejected change', async () => {
    bump(rejectMe, 100);
    const { run: held } = await syncNow(stack, stack.partnerId, { companyIds: [rejectMe] });
    expect(held.status).toBe('held');
    // An approval whose real run never started (Temporal down) leaves its grant unused.
    const rows = rowsOf(held, rejectMe).map((r) => ({ ...r, pbCompanyId: rejectMe, action: 'held' }));
    await grantApprovals(stack.db.db, stack.partnerId, held.id, [{ pbCompanyId: rejectMe, changes: canonicalChanges(heldChanges(rows)) }]);
    expect((await inject('POST', `${base()}/sync-runs/${held.id}/reject`, {})).statusCode).toBe(200);
    const adjustments = state().adjustments.length;
    const { run: later } = await syncNow(stack, stack.partnerId, { companyIds: [rejectMe] });
    expect(later.status).toBe('held');
    expect(state().adjustments.length).toBe(adjustments);
  });

  it('names a held company unmapped before Approve, whose change drops out of the recheck', async () => {
    bump(approveMe, 200);
    bump(rejectMe, 200);
    const { run: held } = await syncNow(stack, stack.partnerId, { companyIds: [approveMe, rejectMe] });
    expect(held.status).toBe('held');
    const name = (await inject('GET', `${base()}/company-mappings?search=${rejectMe}`)).json().items[0].pbCompanyName as string;
    const mapping = stack.sims.demo.mappings.find((m) => m.pbCompanyId === rejectMe)!;
    expect((await stack.app.inject({ method: 'DELETE', url: `${base()}/company-mappings/${rejectMe}`, headers: bearer(stack.adminKey) })).statusCode).toBe(200);
    try {
      const adjustments = state().adjustments.length;
      const res = await inject('POST', `${base()}/sync-runs/${held.id}/approve`, { companyIds: [approveMe, rejectMe] });
      expect(res.statusCode, res.body).toBe(409);
      const dropped = res.json().error.details.differences.filter((d: { pbCompanyId: string }) => d.pbCompanyId === rejectMe);
      expect(dropped.length).toBeGreaterThan(0);
      expect(dropped.every((d: { now: unknown; pbCompanyName: unknown }) => d.now === null && d.pbCompanyName === name)).toBe(true);
      expect(state().adjustments.length).toBe(adjustments);
    } finally {
      await inject('PUT', `${base()}/company-mappings/${rejectMe}`, { autotaskCompanyId: mapping.autotaskCompanyId, autotaskContractId: mapping.autotaskContractId });
    }
  });
});

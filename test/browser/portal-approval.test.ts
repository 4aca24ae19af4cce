/**
 * Approval in a real browser (issue 17, Debian Chromium via playwright-core) against `npm start`'s
 * embedded stack: the Approval card puts the partner in review mode, a run holds two companies
 * pushed past the seat guardrail, and in the run's details one is approved (Autotask then holds
 * its new units) and one rejected (Autotask untouched). Then a preview in review mode marks the
 * changes Apply would hold, and Apply holds exactly those while the rest land.
 * Screenshots: screenshots/approval-*.png.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData } from '../../simulators/demo-data.ts';
import { portalBrowser, screenshotsDir } from '../support/portal-browser.ts';
import type { PortalService } from '../support/portal-service.ts';

const shots = screenshotsDir;
const demo = generateDemoData();
const PID = demo.passwordboss.partners[0]!.id;
const portal = portalBrowser();
let service: PortalService;
let page: Page;
beforeAll(() => {
  ({ service, page } = portal);
});
/** When the first test last used Sync now's budget (a few a minute, which Preview and Apply share). */
let syncNowUsedAt = 0;

const shotOf = (name: string, target: Locator) => target.screenshot({ path: path.join(shots, `approval-${name}.png`) });
/** The top of a long run's details: its heading, the held companies and the first rows. */
const shotTopOf = async (name: string, target: Locator) => {
  const box = (await target.boundingBox())!;
  // boundingBox is in the viewport; a full-page clip is in the page.
  const scroll = await page.evaluate(() => ({ x: window.scrollX, y: window.scrollY }));
  await page.screenshot({ path: path.join(shots, `approval-${name}.png`), fullPage: true, clip: { x: box.x + scroll.x, y: box.y + scroll.y, width: box.width, height: Math.min(box.height, 620) } });
};
const call = portal.call;
type Result = { pbCompanyId: string; pbCompanyName: string | null; autotaskContractId: number | null; autotaskServiceId: number | null; action: string; status: string; unitsBefore: number | null; unitsAfter: number | null };
type Run = { id: string; dryRun: boolean; status: string; detail: string | null; results: Result[] };
const finished = (runId: string) => portal.finished<Run>(PID, runId);
const simAdjustments = async () => ((await (await fetch(`${service.autotaskSimUrl}/_sim/state`)).json()) as { adjustments: Array<{ contractID: number; serviceID: number; unitChange: number }> }).adjustments;
const netOn = (adjustments: Awaited<ReturnType<typeof simAdjustments>>, contractId: number, serviceId: number) => adjustments.filter((a) => a.contractID === contractId && a.serviceID === serviceId).reduce((sum, a) => sum + a.unitChange, 0);

describe('the portal: approval', () => {
  it('holds changes beyond the guardrail; an approved one lands in Autotask, a rejected one does not', async () => {
    // The largest change the demo makes stays under the guardrail; two companies go far past it.
    const preview = await call<{ runId: string }>('POST', `/v1/partners/${PID}/sync`, { dryRun: true });
    const shown = await finished(preview.runId);
    const limit = Math.max(0, ...shown.results.filter((r) => r.action === 'would_set').map((r) => Math.abs(r.unitsAfter! - r.unitsBefore!)));
    const candidates = [...new Set(shown.results.filter((r) => r.autotaskServiceId === 301).map((r) => r.pbCompanyId))];
    const [approveId, rejectId] = candidates as [string, string];
    const partner = structuredClone(demo.passwordboss.partners[0]!);
    const month = partner.months.filter((m) => m.final).sort((a, b) => a.month.localeCompare(b.month)).at(-1)!;
    for (const [id, by] of [[approveId, limit + 40], [rejectId, limit + 70]] as const) {
      const count = month.counts.find((c) => c.companyId === id && c.productId === 'pb-standard')!;
      count.users += by;
      count.licenses += by;
    }
    await fetch(`${service.passwordbossSimUrl}/_sim/partners/${PID}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(partner) }).then((r) => expect(r.status).toBe(200));

    await page.goto(service.base);
    await page.getByLabel('API key').fill(service.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#session').getByLabel('Partner').selectOption(PID);
    await page.locator(`#app[aria-busy="false"][data-partner="${PID}"]`).waitFor({ timeout: 20_000 });
    const card = page.locator('section', { has: page.getByRole('heading', { name: 'Approval' }) });
    const save = card.getByRole('button', { name: 'Save approval' });
    await expect.poll(() => save.isDisabled(), { timeout: 10_000 }).toBe(false);
    await card.getByLabel('Mode').selectOption('review');
    await card.getByLabel(/more than \(seats\)/).fill(String(limit));
    await save.click();
    await expect.poll(() => card.getByRole('status').textContent()).toBe('✓ Approval saved.');
    expect(await call('GET', `/v1/partners/${PID}/approval`)).toEqual({ mode: 'review', maxSeatChange: limit, maxPercentChange: null });
    await shotOf('01-settings', card);

    const started = await call<{ runId: string }>('POST', `/v1/partners/${PID}/sync`, {});
    const held = await finished(started.runId);
    // The demo has a company on an ended contract, so the run is `warning`; its detail counts the held.
    expect(held.status).toBe('warning');
    expect(held.detail).toContain('2 companies held for approval');
    const pairOf = (id: string) => held.results.find((r) => r.pbCompanyId === id && r.autotaskServiceId === 301)!;
    expect([pairOf(approveId).action, pairOf(rejectId).action]).toEqual(['held', 'held']);
    const adjustmentsBefore = await simAdjustments();

    const history = page.locator('section', { has: page.getByRole('heading', { name: 'Sync history' }) });
    const row = history.locator(`tr[data-run="${held.id}"]`);
    await row.waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: /^Details/ }).click();
    const panel = history.locator('fieldset.held');
    await panel.waitFor({ timeout: 10_000 });
    expect(await panel.locator('legend').textContent()).toBe('Waiting for approval (2)');
    await shotTopOf('02-held', history.locator('.run-details'));

    const nameOf = (id: string) => pairOf(id).pbCompanyName ?? id;
    await panel.getByLabel(nameOf(approveId)).check();
    await panel.getByRole('button', { name: 'Approve selected' }).click();
    await expect.poll(() => history.locator('.run-details [role=status]').textContent(), { timeout: 120_000 }).toMatch(/^✓ Approved/);
    // The approving run writes the held change: Autotask moves by exactly before → after.
    const want = pairOf(approveId);
    await expect.poll(async () => netOn(await simAdjustments(), want.autotaskContractId!, 301) - netOn(adjustmentsBefore, want.autotaskContractId!, 301), { timeout: 60_000 }).toBe(want.unitsAfter! - want.unitsBefore!);

    const after = history.locator('fieldset.held');
    await expect.poll(() => after.locator('legend').textContent(), { timeout: 10_000 }).toBe('Waiting for approval (1)');
    await after.getByLabel(nameOf(rejectId)).check();
    await after.getByRole('button', { name: 'Reject selected' }).click();
    await expect.poll(() => history.locator(`tr[data-result-company="${rejectId}"] .status`).first().textContent(), { timeout: 10_000 }).toBe('rejected');
    const rejected = pairOf(rejectId);
    expect(netOn(await simAdjustments(), rejected.autotaskContractId!, 301)).toBe(netOn(adjustmentsBefore, rejected.autotaskContractId!, 301));
    expect(await history.locator('fieldset.held').count()).toBe(0);
    await shotTopOf('03-answered', history.locator('.run-details'));
    syncNowUsedAt = Date.now();
  }, 240_000);

  it('marks in the preview the changes Apply would hold, and Apply holds exactly those', async () => {
    // Review mode, 30 seats or 5 %: three companies in step with Autotask (25 units or more) get
    // new counts, one within both guardrails (+1), one beyond the seats (+35), one beyond the
    // percent only (+10 %, at most 30 seats for the demo's sizes).
    await call('PUT', `/v1/partners/${PID}/approval`, { mode: 'review', maxSeatChange: 30, maxPercentChange: 5 });
    // A dry run started from Temporal: Sync now is rate-limited, and the first test used it.
    const connection = await Connection.connect({ address: service.temporalAddress });
    let checkId: string;
    try {
      const handle = await new Client({ connection }).workflow.start('partnerSync', { taskQueue: 'pb-autotask-sync', workflowId: 'approval-preview-check', args: [{ partnerId: PID, dryRun: true, trigger: 'temporal-ui' }] });
      await handle.result();
      checkId = handle.firstExecutionRunId;
    } finally {
      await connection.close();
    }
    const check = await finished(checkId);
    const inStep = check.results.filter((r) => r.action === 'unchanged' && r.autotaskServiceId === 301 && r.unitsBefore! >= 25 && r.unitsBefore! <= 290);
    const [small, seats, percent] = [...new Set(inStep.map((r) => r.pbCompanyId))] as [string, string, string];
    expect([small, seats, percent].every(Boolean)).toBe(true);
    const partner = structuredClone(demo.passwordboss.partners[0]!);
    const month = partner.months.filter((m) => m.final).sort((a, b) => a.month.localeCompare(b.month)).at(-1)!;
    for (const [id, to] of [[small, (u: number) => u + 1], [seats, (u: number) => u + 35], [percent, (u: number) => u + Math.ceil(u * 0.1)]] as const) {
      const count = month.counts.find((c) => c.companyId === id && c.productId === 'pb-standard')!;
      const units = inStep.find((r) => r.pbCompanyId === id)!.unitsBefore!;
      count.users = to(units);
      count.licenses = to(units);
    }
    await fetch(`${service.passwordbossSimUrl}/_sim/partners/${PID}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(partner) }).then((r) => expect(r.status).toBe(200));

    // Preview and Apply each count against Sync now's limit, which the first test may have used up.
    await new Promise((r) => setTimeout(r, Math.max(0, syncNowUsedAt + 61_000 - Date.now())));
    await page.reload();
    await page.locator(`#app[aria-busy="false"][data-partner="${PID}"]`).waitFor({ timeout: 20_000 });
    const section = page.locator('section', { has: page.getByRole('heading', { name: 'Preview and apply' }) });
    await section.getByRole('button', { name: 'Preview changes' }).click();
    await section.locator('.totals[data-preview-run]').waitFor({ timeout: 60_000 });
    const rows = await section.locator('tbody tr[data-change]').evaluateAll((trs) => trs.map((tr) => ({ key: tr.getAttribute('data-change')!, held: tr.getAttribute('data-held') === 'true', onApply: tr.lastElementChild!.textContent!.trim() })));
    const keyOf = (id: string) => rows.find((r) => r.key.startsWith(`${id}:`) && r.key.endsWith(':301'))!;
    // The two beyond a guardrail are marked, with the guardrail in words; the one within is written.
    expect([keyOf(small).held, keyOf(seats).held, keyOf(percent).held]).toEqual([false, true, true]);
    expect(keyOf(small).onApply).toBe('✓ written');
    expect(keyOf(seats).onApply).toMatch(/^‖ held for approval.+is a change of 35 seats, beyond the guardrail of 30 seats$/);
    expect(keyOf(percent).onApply).toMatch(/^‖ held for approval.+is a change of [\d.]+ %, beyond the guardrail of 5 %$/);
    const heldKeys = rows.filter((r) => r.held).map((r) => r.key).sort();
    const landKeys = rows.filter((r) => !r.held).map((r) => r.key).sort();
    expect(await section.locator('.held-totals').textContent()).toMatch(new RegExp(`^‖ ${heldKeys.length} changes? of \\d+ compan(y|ies) \\([+−±]\\d+ seats?, [+−]?\\d+\\.\\d\\d a month\\) would wait for approval`));
    expect(await section.locator('tfoot tr').allTextContents()).toEqual([expect.stringMatching(/^Would land in Autotask/), expect.stringMatching(/^Would wait for approval/)]);
    await section.scrollIntoViewIfNeeded();
    await shotOf('04-preview-held', section);

    const adjustmentsBefore = await simAdjustments();
    await section.getByRole('button', { name: new RegExp(`^Apply ${rows.length} changes? \\(${heldKeys.length} held for approval\\)$`) }).click();
    await expect.poll(() => section.getByRole('status').textContent(), { timeout: 120_000 }).toMatch(/^‖ Applied: sync held/);
    await shotOf('05-applied-held', section);
    const applied = (await call<{ items: Run[] }>('GET', `/v1/partners/${PID}/sync-runs?limit=5`)).items.find((r) => !r.dryRun)!;
    const run = await finished(applied.id);
    const keyOfRow = (r: Result) => `${r.pbCompanyId}:${r.autotaskContractId}:${r.autotaskServiceId}`;
    expect(run.results.filter((r) => r.action === 'held' && r.status === 'held').map(keyOfRow).sort()).toEqual(heldKeys);
    expect(run.results.filter((r) => r.action === 'set' && r.status === 'ok').map(keyOfRow).sort()).toEqual(landKeys);
    // Autotask moved on the written pair and not on the held ones.
    const adjustmentsAfter = await simAdjustments();
    const moved = (key: string) => {
      const [, contract, service] = key.split(':').map(Number);
      return netOn(adjustmentsAfter, contract!, service!) - netOn(adjustmentsBefore, contract!, service!);
    };
    expect(moved(keyOf(small).key)).toBe(1);
    expect(heldKeys.map(moved)).toEqual(heldKeys.map(() => 0));
  }, 240_000);
});

/**
 * Issue 17 in a real browser (Debian Chromium via playwright-core) against `npm start`'s embedded
 * stack: the schedule form cannot save before it has loaded, times name their zone, the company
 * dialog keeps focus and closes on Escape, an unmap says in words what stays billed, and the
 * history pages, filters, names, refreshes a scheduled run live and exports CSV. The viewer is in
 * UTC, the demo partner in New York. Screenshots go to screenshots/review-*.png.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData } from '../../simulators/demo-data.ts';
import { parseCsv } from '../support/csv.ts';
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

const shot = (name: string) => page.screenshot({ path: path.join(shots, `review-${name}.png`), fullPage: true });
/** Just what the state is about (a card, or the viewport with a dialog), readable at a glance. */
const shotOf = (name: string, target?: Locator) => (target ? target.screenshot({ path: path.join(shots, `review-${name}.png`) }) : page.screenshot({ path: path.join(shots, `review-${name}.png`) }));
const call = portal.call;
type Run = { id: string; status: string; trigger: string; dryRun: boolean; results: Array<Record<string, unknown>> };
const finished = (runId: string) => portal.finished<Run>(PID, runId);
const settled = () => page.locator(`#app[aria-busy="false"][data-partner="${PID}"]`).waitFor({ timeout: 20_000 });
const history = () => page.locator('section', { has: page.getByRole('heading', { name: 'Sync history' }) });

describe('the portal, issue 17', () => {
  it('keeps the schedule form disabled until it has loaded, so an early Save changes nothing', async () => {
    const before = await call<{ schedule: { frequency: string; time: string; updatedAt: string } }>('GET', `/v1/partners/${PID}/schedule`);
    expect(before.schedule.frequency).toBe('weekly');
    // The schedule answers slowly, as it does when Temporal is far away.
    await page.route(`**/v1/partners/${PID}/schedule`, async (route) => {
      if (route.request().method() === 'GET') await new Promise((r) => setTimeout(r, 2_500));
      await route.continue();
    });
    // So do the notification settings: the same trap, the same cure.
    await call('PUT', `/v1/partners/${PID}/notifications`, { emails: ['billing@example.com'], webhookUrl: null, on: ['error'] });
    const notificationsBefore = await call<Record<string, unknown>>('GET', `/v1/partners/${PID}/notifications`);
    await page.route(`**/v1/partners/${PID}/notifications`, async (route) => {
      if (route.request().method() === 'GET') await new Promise((r) => setTimeout(r, 2_500));
      await route.continue();
    });
    await page.goto(service.base);
    await page.getByLabel('API key').fill(service.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#session').getByLabel('Partner').selectOption(PID);
    await settled();
    const save = page.getByRole('button', { name: 'Save schedule' });
    await save.waitFor();
    const disabledWhileLoading = [await save.isDisabled(), await page.getByLabel('Time of day').isDisabled()];
    const saveNotifications = page.getByRole('button', { name: 'Save notifications' });
    const notificationsDisabledWhileLoading = await saveNotifications.isDisabled();
    await saveNotifications.click({ force: true, timeout: 1_000 }).catch(() => undefined);
    await shotOf('01-schedule-loading', page.locator('section', { has: page.getByRole('heading', { name: 'Sync schedule' }) }));
    // Press Save at once, and Enter in the form, as an impatient admin would.
    await save.click({ force: true, timeout: 1_000 }).catch(() => undefined);
    await page.getByLabel('Time of day').press('Enter', { timeout: 1_000 }).catch(() => undefined);
    await expect.poll(() => save.isDisabled(), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => saveNotifications.isDisabled(), { timeout: 10_000 }).toBe(false);
    await page.unroute(`**/v1/partners/${PID}/notifications`);
    expect(notificationsDisabledWhileLoading).toBe(true);
    expect(await call<Record<string, unknown>>('GET', `/v1/partners/${PID}/notifications`)).toEqual(notificationsBefore);
    await page.unroute(`**/v1/partners/${PID}/schedule`);
    const after = await call<typeof before>('GET', `/v1/partners/${PID}/schedule`);
    expect(after.schedule).toEqual(before.schedule);
    expect(disabledWhileLoading).toEqual([true, true]);
    expect(await page.getByLabel('Frequency').inputValue()).toBe('weekly');
    expect(await page.getByLabel('Time of day').inputValue()).toBe(before.schedule.time);

    // The next run is in the partner's zone, named, with the viewer's (UTC) clock beside it.
    await expect.poll(() => page.getByText(/Next run: /).textContent()).toMatch(/Next run: .+ \d\d:\d\d E[SD]T \(America\/New_York\) · \d\d:\d\d UTC for you/);
    await shot('02-schedule-loaded-with-zones');
  }, 120_000);

  it('previews per company and product, shows what moved since, and applies exactly the preview', async () => {
    const section = page.locator('section', { has: page.getByRole('heading', { name: 'Preview and apply' }) });
    await section.getByRole('button', { name: 'Preview changes' }).click();
    const totals = section.locator('.totals[data-preview-run]');
    await totals.waitFor({ timeout: 60_000 });
    const readRows = async () => (await section.locator('tbody tr[data-change]').evaluateAll((rows) => rows.map((r) => ({ key: r.getAttribute('data-change')!, units: r.querySelector('[data-units]')!.getAttribute('data-units')! }))));
    const first = await readRows();
    expect(first.length).toBeGreaterThan(3);
    expect(await totals.textContent()).toMatch(new RegExp(`^${first.length} contract services of \\d+ compan(y|ies) change by [+−±]\\d+ seats?, [+−]?\\d+\\.\\d\\d a month`));
    await shotOf('02a-preview', section);

    // A count moves in Password Boss after the preview: Apply shows it and applies nothing.
    const [companyId, , serviceId] = first[0]!.key.split(':');
    const [before, after] = first[0]!.units.split(':').map(Number);
    const partner = structuredClone(demo.passwordboss.partners[0]!);
    const month = partner.months.filter((m) => m.final).sort((a, b) => a.month.localeCompare(b.month)).at(-1)!;
    const count = month.counts.find((c) => c.companyId === companyId && c.productId === (serviceId === '301' ? 'pb-standard' : 'pb-advanced'))!;
    count.users += 3;
    count.licenses += 3;
    await fetch(`${service.passwordbossSimUrl}/_sim/partners/${PID}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(partner) }).then((r) => expect(r.status).toBe(200));
    const simState = async () => (await (await fetch(`${service.autotaskSimUrl}/_sim/state`)).json()) as { adjustments: Array<{ contractID: number; serviceID: number; unitChange: number; at: number }> };
    const adjustmentsBefore = (await simState()).adjustments.length;
    await section.getByRole('button', { name: /^Apply \d+ changes?$/ }).click();
    const moved = section.locator('.moved');
    await moved.waitFor({ timeout: 60_000 });
    expect(await moved.locator('li').allTextContents()).toEqual([expect.stringMatching(new RegExp(`service #${serviceId} on contract #\\d+: previewed ${before} → ${after}, now ${before} → ${after! + 3}$`))]);
    expect((await simState()).adjustments.length).toBe(adjustmentsBefore);
    await expect.poll(() => totals.getAttribute('data-preview-run')).not.toBeNull();
    await shotOf('02b-preview-moved', section);

    // Apply the new preview: Autotask then holds exactly its numbers.
    const shown = await readRows();
    expect(shown.find((r) => r.key === first[0]!.key)!.units).toBe(`${before}:${after! + 3}`);
    await section.getByRole('button', { name: /^Apply \d+ changes?$/ }).click();
    await expect.poll(() => section.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(/^✓ Applied: sync ok/);
    const posted = (await simState()).adjustments.slice(adjustmentsBefore);
    const net = new Map<string, number>();
    for (const a of posted) net.set(`${a.contractID}:${a.serviceID}`, (net.get(`${a.contractID}:${a.serviceID}`) ?? 0) + a.unitChange);
    const expected = new Map(shown.map((r) => { const [, contract, svc] = r.key.split(':'); const [b, a] = r.units.split(':').map(Number); return [`${contract}:${svc}`, a! - b!]; }));
    expect(net).toEqual(expected);
    await shotOf('02c-applied', section);
  }, 180_000);

  it('keeps Tab inside the company dialog, closes it on Escape, and says in words what an unmap leaves billed', async () => {
    // A full run first, so the company owns units to leave behind (started from Temporal: the
    // preview test used up Sync now's rate limit).
    const connection = await Connection.connect({ address: service.temporalAddress });
    try {
      await (await new Client({ connection }).workflow.start('partnerSync', { taskQueue: 'pb-autotask-sync', workflowId: 'review-full-run', args: [{ partnerId: PID, trigger: 'temporal-ui' }] })).result();
    } finally {
      await connection.close();
    }
    const m = demo.mappings.find((x) => x.pbCompanyId === 'c-0002')!;
    const name = demo.passwordboss.partners[0]!.companies.find((c) => c.id === m.pbCompanyId)!.name;
    const pencil = page.getByRole('button', { name: `Edit mapping of ${name}` });
    await pencil.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const focusInDialog = () => page.evaluate(() => !!document.activeElement?.closest('[role=dialog]'));
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press('Tab');
      expect(await focusInDialog(), `after ${i + 1} Tab presses`).toBe(true);
    }
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Shift+Tab');
      expect(await focusInDialog(), `after ${i + 1} Shift+Tab presses`).toBe(true);
    }
    await shotOf('03-dialog-focus');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Edit mapping of ${name}`);

    await pencil.click();
    await dialog.getByRole('button', { name: 'Unmap' }).click();
    await dialog.getByRole('heading', { name: `${name} is unmapped` }).waitFor();
    await expect.poll(() => dialog.locator('.left-behind li').first().textContent()).toMatch(new RegExp(`^“Password Boss (Standard|Advanced)” on contract “${m.autotaskContractName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}” \\(#${m.autotaskContractId}\\) keeps \\d+ units?, still billed`));
    await shotOf('04-unmap-left-behind');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  }, 120_000);

  it('pages the history, filters errors, names results, refreshes a scheduled run live and exports CSV', async () => {
    // Eleven dry runs beside the real one, started from Temporal (Sync now is rate-limited): five
    // of a company whose contract ended (errors).
    const connection = await Connection.connect({ address: service.temporalAddress });
    const temporal = new Client({ connection });
    for (let i = 0; i < 11; i++) {
      const companyIds = [i < 5 ? demo.notable.endedContract : 'c-0003'];
      const handle = await temporal.workflow.start('partnerSync', { taskQueue: 'pb-autotask-sync', workflowId: `review-dry-run-${i}`, args: [{ partnerId: PID, dryRun: true, companyIds, trigger: 'temporal-ui' }] });
      await handle.result();
      expect((await finished(handle.firstExecutionRunId)).status).toBe(i < 5 ? 'error' : 'ok');
    }
    // The preview test's runs come first; the count is whatever they and these add up to.
    const { total } = await call<{ total: number }>('GET', `/v1/partners/${PID}/sync-runs?limit=1`);
    expect(total).toBeGreaterThanOrEqual(12);
    await history().getByLabel('Show').selectOption({ label: 'All runs' });
    await expect.poll(() => history().locator('.pager span').textContent(), { timeout: 20_000 }).toBe(`1–10 of ${total}`);
    expect(await history().locator('tbody tr[data-run]').count()).toBe(10);
    await history().getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => history().locator('.pager span').textContent()).toBe(`11–${Math.min(20, total)} of ${total}`);
    expect(await history().locator('tbody tr[data-run]').count()).toBe(Math.min(10, total - 10));
    await shotOf('05-history-page-2', history());
    await history().getByLabel('Show').selectOption({ label: 'Errors only' });
    await expect.poll(() => history().locator('.pager span').textContent()).toBe('1–5 of 5');
    expect(await history().locator('tbody tr[data-run] .status').allTextContents()).toEqual(Array(5).fill('error'));
    await shotOf('06-history-errors-only', history());
    await history().getByLabel('Show').selectOption({ label: 'All runs' });

    // A scheduled run, started by Temporal, appears and finishes on the open page.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 17));
    try {
      await temporal.schedule.getHandle(`partner-sync/${PID}`).trigger();
    } finally {
      await connection.close();
    }
    const scheduled = history().locator('tbody tr[data-run]').first();
    await expect.poll(() => scheduled.locator('td').first().textContent(), { timeout: 40_000 }).toBe('schedule');
    await expect.poll(() => scheduled.locator('.status').textContent(), { timeout: 40_000 }).toMatch(/^(ok|warning)$/);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(17);
    await shotOf('07-history-scheduled-run-live', history());

    // Details of the full run: names, not ids; its CSV has the same rows as the API.
    const runs = await call<{ items: Run[] }>('GET', `/v1/partners/${PID}/sync-runs?limit=50`);
    const manual = runs.items.find((r) => r.trigger === 'temporal-ui' && !r.dryRun)!;
    const row = history().locator(`tr[data-run="${manual.id}"]`);
    const newer = history().getByRole('button', { name: 'Newer' });
    while (await newer.isEnabled()) await newer.click();
    const pageOf = Math.floor(runs.items.indexOf(manual) / 10);
    for (let i = 0; i < pageOf; i++) {
      await history().getByRole('button', { name: 'Older' }).click();
      await expect.poll(() => history().locator('.pager span').textContent()).toMatch(new RegExp(`^${(i + 1) * 10 + 1}–`));
    }
    await row.getByRole('button', { name: /Details/ }).click();
    const details = history().locator('.run-details table.results');
    await expect.poll(() => details.locator('tbody tr').count()).toBeGreaterThan(5);
    const company = demo.passwordboss.partners[0]!.companies.find((c) => c.id === 'c-0003')!;
    const firstCells = await details.locator('tbody tr td:nth-child(1)').allTextContents();
    expect(firstCells.some((t) => t.startsWith(company.name))).toBe(true);
    const products = await details.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(products).toContain('Password Boss Standard');
    expect(products).not.toContain('pb-standard');
    await shotOf('08-run-details-names', history());
    const [download] = await Promise.all([page.waitForEvent('download'), history().getByRole('button', { name: 'Download CSV' }).click()]);
    const [header, ...lines] = parseCsv(readFileSync((await download.path())!, 'utf8'));
    expect(header![1]).toBe('company id');
    const detail = await call<Run>('GET', `/v1/partners/${PID}/sync-runs/${manual.id}`);
    const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
    expect(lines.map((l) => [l[1], l[2], l[3], l[4], l[5], l[7], l[9]])).toEqual(
      detail.results.map((r) => [r.pbCompanyId, r.autotaskContractId, r.autotaskServiceId, r.unitsBefore, r.unitsAfter, r.amountChange, r.status].map(cell))
    );
  }, 240_000);
});

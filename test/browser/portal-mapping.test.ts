/**
 * Mapping at scale and units over time in a real browser (issue 17, part B): Debian's Chromium
 * driven by playwright-core against the API with the portal, on a partner with 60 unmapped
 * companies. The unmapped counter and its filter, suggestions confirmed in bulk (30 or more in one
 * action), the company type filter, excluding a company, a company created in Password Boss
 * showing up at once, and a company's units chart with its table. Screenshots to screenshots/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../api/app.ts';
import { recordLedgerWrites, type LedgerWrite } from '../../db/repositories/billing-ledger.ts';
import { launchChromium } from '../support/chromium.ts';
import { setUpPartner } from '../support/partner-setup.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const shots = path.join(root, 'screenshots');
let stack: Stack;
let portal: App;
let base: string;
let browser: Browser;
let page: Page;
/** The part of the page a state is about, as the viewer sees it (full pages of 60 rows are too tall to read). */
const view = async (name: string, selector: string) => {
  await page.locator(selector).first().scrollIntoViewIfNeeded();
  await page.locator(selector).first().evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
};
const api = async (url: string) => (await stack.app.inject({ method: 'GET', url: `/v1/partners/${stack.partnerId}${url}`, headers: bearer(stack.adminKey) })).json();
const settled = () => page.locator(`#app[aria-busy="false"][data-partner="${stack.partnerId}"]`).waitFor({ timeout: 20_000 });
const counter = () => page.locator('.counter');

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  stack = await startStack('pglite', { demo: { companies: 60 }, worker: false });
  await setUpPartner(stack, { companies: () => false });
  portal = await buildApp({
    services: stack.deps,
    dbPing: () => stack.db.ping(),
    temporal: { client: stack.client, ping: async () => {} },
    adminApiKey: stack.adminKey,
    taskQueue: stack.taskQueue,
    namespace: 'default',
    portal: true,
  });
  base = await portal.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await portal?.close();
  await stack?.close();
});

describe('mapping hundreds of companies', () => {
  it('counts the unmapped companies and confirms 30 or more suggested matches in one action', async () => {
    await page.goto(base);
    await page.getByLabel('API key').fill(stack.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await settled();
    await expect.poll(() => counter().getAttribute('data-unmapped'), { timeout: 20_000 }).toBe('60');
    expect(await counter().textContent()).toContain('60 companies not mapped');
    await view('mapping-01-unmapped-counter', 'section:has(#cm-title)');

    await counter().getByRole('button', { name: 'Suggest matches' }).click();
    const rows = page.locator('tr[data-suggestion]');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBeGreaterThan(40);
    // Only exact names with a proposed contract are ticked; nothing is mapped yet.
    const ticked = page.locator('tr[data-suggestion] input[type=checkbox]:checked');
    const n = await ticked.count();
    expect(n).toBeGreaterThanOrEqual(30);
    expect((await api('/company-mappings?mapped=true&limit=1')).total).toBe(0);
    await expect.poll(() => page.getByText(/Similar name \(\d+%\)/).count()).toBeGreaterThan(0);
    await view('mapping-02-suggestions', '.match-tools');

    await page.getByRole('button', { name: `Confirm selected (${n})` }).click();
    await expect.poll(() => page.getByText('✓ Mapped').count(), { timeout: 20_000 }).toBe(n);
    expect((await api('/company-mappings?mapped=true&limit=1')).total).toBe(n);
    await expect.poll(() => counter().getAttribute('data-unmapped')).toBe(String(60 - n));
    await view('mapping-03-confirmed', '.match-tools');
  }, 120_000);

  it('offers other Autotask company types only when ticked', async () => {
    const msp = page.locator('tr[data-suggestion="c-0001"]');
    expect(await msp.count()).toBe(0);
    await page.getByRole('checkbox', { name: 'Partner' }).check();
    await expect.poll(() => msp.count(), { timeout: 20_000 }).toBe(1);
    expect(await msp.textContent()).toContain('Northwind Managed Services (Internal)');
    await page.getByRole('checkbox', { name: 'Partner' }).uncheck();
    await expect.poll(() => msp.count(), { timeout: 20_000 }).toBe(0);
  });

  it('excludes a company (billed by hand) and lists it under Excluded', async () => {
    const before = Number(await counter().getAttribute('data-unmapped'));
    await counter().getByRole('button', { name: 'Show them' }).click();
    await expect.poll(() => page.locator('table.companies:not(.suggestions-table) tbody tr').count()).toBe(before);
    const row = page.locator('tr[data-company]').first();
    const id = (await row.getAttribute('data-company'))!;
    await row.getByRole('button', { name: /^Edit mapping of/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Exclude (billed by hand)' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await expect.poll(() => counter().getAttribute('data-unmapped')).toBe(String(before - 1));
    await page.getByRole('region', { name: 'Company mapping' }).getByLabel('Show').selectOption('excluded');
    await expect.poll(() => page.locator('tr[data-company]').count()).toBe(1);
    expect(await page.locator(`tr[data-company="${id}"] .status`).textContent()).toBe('excluded');
    await page.locator('.match-tools summary').click(); // folded away, so the list itself is in view
    await view('mapping-04-excluded', 'section:has(#cm-title)');
  });

  it('shows a company created in Password Boss a moment ago when the page opens, or on request', async () => {
    const companies = stack.sims.passwordboss.partner(stack.partnerId)!.companies;
    await page.getByRole('region', { name: 'Company mapping' }).getByLabel('Show').selectOption('all');
    companies.push({ id: 'c-new', name: 'Aardvark Brand New Dental', type: 'customer', active: true });
    // Opened a minute or more after the last time (here: the tab's note of it removed).
    await page.evaluate(() => { for (const k of Object.keys(sessionStorage)) if (k.startsWith('pbas.listReadAt.')) sessionStorage.removeItem(k); });
    await page.reload();
    await settled();
    await expect.poll(() => page.locator('tr[data-company="c-new"]').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('tr[data-company="c-new"]').textContent()).toContain('Aardvark Brand New Dental');
    // Within the minute, the link re-reads the list on demand.
    companies.push({ id: 'c-newer', name: 'Aardvark Newer Dental', type: 'customer', active: true });
    await page.reload();
    await settled();
    await page.locator('tr[data-company]').first().waitFor();
    expect(await page.locator('tr[data-company="c-newer"]').count()).toBe(0);
    await counter().getByRole('button', { name: 'Re-read from Password Boss' }).click();
    await expect.poll(() => page.locator('tr[data-company="c-newer"]').count(), { timeout: 20_000 }).toBe(1);
  });
});

describe('units over time', () => {
  it('charts a company’s units per service and month, with the same numbers as a table', async () => {
    const m = stack.sims.demo.mappings.find((x) => x.pbCompanyId === 'c-0002')!;
    const run = (n: number) => `0190f0f0-0000-7000-8000-${String(n).padStart(12, '0')}`;
    const month = (i: number) => `2026-${String(i).padStart(2, '0')}-01`;
    const standard = [12, 14, 15, 15, 18, 0];
    const writes: LedgerWrite[] = [];
    standard.forEach((units, i) => {
      if (i !== 3) writes.push({ runId: run(i + 1), contractId: m.autotaskContractId, serviceId: 301, effectiveDate: month(i + 6), units, pbCompanyId: 'c-0002', productIds: ['pb-standard'], reason: units ? 'count' : 'moved_service' });
    });
    writes.push({ runId: run(6), contractId: m.autotaskContractId, serviceId: 302, effectiveDate: month(11), units: 19, pbCompanyId: 'c-0002', productIds: ['pb-standard'], reason: 'count' });
    await recordLedgerWrites(stack.db.db, stack.partnerId, writes);

    await page.getByRole('region', { name: 'Company mapping' }).getByLabel('Show').selectOption('all');
    await page.getByLabel('Search', { exact: true }).fill('c-0002');
    const button = page.locator('tr[data-company="c-0002"]').getByRole('button', { name: /^Units over time of/ });
    await button.waitFor();
    await button.click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('svg.units-chart').waitFor();
    expect(await dialog.locator('svg.units-chart path[data-service]').count()).toBe(2);
    // The text alternative: a table with one row per month and one column per service.
    const table = dialog.locator('table.units-table');
    expect(await table.locator('tbody tr').count()).toBe(6);
    expect(await table.locator('thead th').allTextContents()).toEqual(['Month', 'Password Boss Standard', 'Password Boss Advanced']);
    expect(await table.locator('tbody tr').nth(3).textContent()).toBe('2026-0915 (unchanged)—');
    expect(await table.locator('tbody tr').nth(5).textContent()).toBe('2026-11019');
    expect(await dialog.locator('figcaption').textContent()).toContain('Password Boss Standard: 12 units in 2026-06, 0 in 2026-11 (highest 18).');
    await page.screenshot({ path: path.join(shots, 'units-01-chart.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });
});

/**
 * The whole walkthrough in a real browser (Debian Chromium driven by playwright-core) against
 * `npm start`'s embedded stack with the simulators: sign in, authenticate (wrong secret first),
 * enable and save, map both products, set a weekly schedule, map a company (a non-recurring
 * contract first, refused), sync now and watch it finish, then see an error status with its
 * detail for a company whose contract ended. Screenshots of the main states go to screenshots/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../runtime/free-port.ts';
import { resolveTemporalCli } from '../../runtime/temporal-cli.ts';
import { generateDemoData } from '../../simulators/demo-data.ts';
import { launchChromium } from '../support/chromium.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const shots = path.join(root, 'screenshots');
const demo = generateDemoData();
let service: ChildProcess;
let browser: Browser;
let page: Page;
let base: string;
let adminKey: string;
let dataDir: string;

const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'pbas-portal-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  service = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', TEMPORAL_CLI_PATH: resolveTemporalCli({ install: false }) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  service.stdout!.on('data', keep);
  service.stderr!.on('data', keep);
  for (let i = 0; ; i++) {
    const ok = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (service.exitCode !== null || i >= 450) throw new Error(`npm start did not become ready (exit code ${service.exitCode}):\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  adminKey = (JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as { adminApiKey: string }).adminApiKey;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (service && service.exitCode === null && service.signalCode === null) {
    const exited = new Promise((r) => service.once('exit', r));
    service.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const status = () => page.getByRole('status').first();
/** The page marks itself settled for one partner; before that, a form filled in may still be replaced. */
const settled = (partnerId: string) => page.locator(`#app[aria-busy="false"][data-partner="${partnerId}"]`).waitFor({ timeout: 20_000 });

describe('the Autotask PSA integration page', () => {
  it('walks an MSP through the whole setup and a sync', async () => {
    await page.goto(base);
    await page.getByLabel('API key').fill(adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#session').getByLabel('Partner').selectOption('contoso');
    await settled('contoso');
    await expect.poll(() => page.getByText('Once you have saved your integration').isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('heading', { name: 'Product mappings' }).count()).toBe(0);
    await shot('01-new-partner');

    // Authenticate: the wrong secret first, then the right one.
    await page.getByLabel('Username').fill(demo.credentials.username);
    await page.getByLabel('Password (secret)').fill('not-the-secret');
    await page.getByRole('button', { name: 'Authenticate' }).click();
    await expect.poll(() => status().textContent()).toMatch(/✗ Autotask rejected the secret .* re-enter it/);
    await shot('02-authenticate-wrong-secret');
    await page.getByLabel('Password (secret)').fill(demo.credentials.secret);
    await page.getByRole('button', { name: 'Authenticate' }).click();
    await expect.poll(() => status().textContent()).toMatch(/✓ Connected to Autotask zone America East/);

    // Enable and save: the other sections appear.
    await page.getByRole('switch').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Product mappings' }).waitFor();
    await shot('03-saved');

    // Product mappings: click the box, pick a service for each product, save.
    await page.getByRole('button', { name: 'Edit product mappings' }).click();
    await page.getByLabel('Autotask service for Password Boss Standard').selectOption({ label: 'Password Boss Standard' });
    await page.getByLabel('Autotask service for Password Boss Advanced').selectOption({ label: 'Password Boss Advanced' });
    await page.locator('section', { has: page.getByRole('heading', { name: 'Product mappings' }) }).getByRole('button', { name: 'Save' }).click();
    await page.getByText('✓ Product mappings saved.').waitFor();

    // A weekly schedule.
    await page.getByLabel('Frequency').selectOption('weekly');
    await page.getByLabel('Day of week').selectOption('WEDNESDAY');
    await page.getByLabel('Time of day').fill('07:30');
    await page.getByLabel('Timezone').fill('Europe/London');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByText('✓ Schedule saved.').waitFor();
    await expect.poll(() => page.getByText(/Next run: /).textContent()).not.toMatch(/—/);
    await shot('04-products-and-schedule');

    // Map a company: a non-recurring contract is refused in place, the recurring one is saved.
    const target = demo.mappings.find((m) => m.pbCompanyId === 'c-0009')!;
    const other = demo.autotask.contracts.find((c) => c.companyID === target.autotaskCompanyId && c.contractType !== 7)!;
    await page.locator('tr[data-company="c-0009"]').getByRole('button', { name: /^Edit mapping of/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Autotask company').fill(target.autotaskCompanyName);
    await dialog.getByRole('button', { name: 'Search' }).click();
    await dialog.locator(`option[value="${target.autotaskCompanyId}"]`).waitFor({ state: 'attached' });
    await dialog.getByLabel('Matches').selectOption(String(target.autotaskCompanyId));
    await expect.poll(() => dialog.getByLabel('Recurring Service contract').locator('option').count()).toBeGreaterThan(1);
    await dialog.getByLabel('Recurring Service contract').selectOption(String(other.id));
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toMatch(/not a Recurring Service contract/);
    await shot('05-company-editor-refused');
    await dialog.getByLabel('Recurring Service contract').selectOption(String(target.autotaskContractId));
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('tr[data-company="c-0009"]').textContent()).toContain(target.autotaskContractName);

    // Sync now, watch it finish, see Last Sync and OK.
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('[data-run-status]:not([data-run-status="running"])').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-run-status]').getAttribute('data-run-status')).toBe('ok');
    await expect.poll(() => page.locator('tr[data-company="c-0009"] .status').textContent()).toBe('ok');
    expect(await page.locator('tr[data-company="c-0009"] td').nth(3).textContent()).not.toBe('—');
    // The admin's overview follows the run it just watched finish, without a reload.
    await expect.poll(() => page.locator('tr[data-partner-row="contoso"] td').nth(1).textContent()).toBe('ok');
    await page.getByRole('button', { name: 'Details' }).first().click();
    await expect.poll(() => page.locator('.run-details').textContent()).toMatch(/\d+ → \d+/);
    await shot('06-synced');
  }, 180_000);

  it('shows an error status with what to fix for a company whose contract ended', async () => {
    await page.locator('#session').getByLabel('Partner').selectOption('demo');
    await settled('demo');
    // Wait for the demo partner's page itself (the previous partner's page is replaced asynchronously).
    const ended = demo.mappings.find((m) => m.pbCompanyId === demo.notable.endedContract)!;
    await expect.poll(() => page.locator(`tr[data-company="${demo.notable.endedContract}"]`).textContent(), { timeout: 20_000 }).toContain(ended.autotaskContractName);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('[data-run-status]:not([data-run-status="running"])').waitFor({ timeout: 60_000 });
    await page.getByLabel('Status', { exact: true }).selectOption('error');
    const row = page.locator(`tr[data-company="${demo.notable.endedContract}"]`);
    await expect.poll(() => row.locator('.detail').textContent()).toMatch(/ended on \d{4}-\d{2}-\d{2} — pick the renewed contract/);
    // The filtered list has replaced the whole one: only companies in error are left.
    await expect.poll(() => page.locator('tr[data-company] .status:not(.s-error)').count()).toBe(0);
    await shot('07-error-status');

    // The admin's overview lists the partner whose last run failed first.
    await page.reload();
    await settled('demo');
    await expect.poll(() => page.locator('tr[data-partner-row]').first().getAttribute('data-partner-row')).toBe('demo');
    expect(await page.locator('tr[data-partner-row="demo"] .status').textContent()).toBe('warning');
    expect(await page.locator('tr[data-partner-row="contoso"] .status').textContent()).toBe('ok');

    // Notifications: saved, and a new webhook's signing secret shown once.
    await page.getByLabel('E-mail addresses').fill('billing@northwind.example, ops@northwind.example');
    await page.getByLabel('Webhook URL').fill('https://hooks.example.com/pb-autotask');
    await page.getByLabel('Some companies failed').check();
    await page.getByLabel('Syncing works again').check();
    await page.getByRole('button', { name: 'Save notifications' }).click();
    await page.getByText('✓ Notifications saved.').waitFor();
    expect(await page.locator('[data-webhook-secret]').textContent()).toMatch(/^whsec_/);
    await shot('07b-notifications');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    // Nothing makes a phone scroll sideways; wide tables scroll inside their own box.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The admin's overview stacks each partner's values instead of hiding columns off to the side.
    expect(await page.locator('table.partners').evaluate((t) => t.scrollWidth <= t.parentElement!.clientWidth)).toBe(true);
    await shot('08-narrow-screen');
  }, 120_000);
});

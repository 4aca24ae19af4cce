/**
 * `npm run bench -- portal`: how long the portal takes to render for a partner with 5,000
 * companies, in Debian's Chromium over loopback (issue 17: first render ≤ 1 s). The stack is the
 * real API with the portal, PGlite, a Temporal dev server (the schedule card asks it) and both
 * simulators. Figures only; no assertion.
 *
 * "First render" runs from navigation to the page marking itself settled with the mapping card's
 * first page of companies and its "not mapped" counter shown. "Cold" is a fresh browser context
 * each time: empty HTTP cache, new sessionStorage (issue 17's target, ≤ 1 s); "API first" the
 * same on the API's first visit for that partner (its caches empty too); "warm" a reload in a
 * context that has the assets cached. Two partners: every company mapped (steady state) and none
 * mapped (the day an MSP starts), where opening the suggestions for all 5,000 is measured too
 * (the server's matching and the browser's 500 rows). `--waterfall` prints what one cold render
 * waited on, request by request.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Page } from 'playwright-core';
import { buildApp } from '../api/app.ts';
import { createDb } from '../db/client.ts';
import { mintApiKey } from '../db/repositories/api-keys.ts';
import { upsertSettings } from '../db/repositories/autotask-settings.ts';
import { refreshCompanies, saveCompanyMapping } from '../db/repositories/company-mappings.ts';
import { insertPartner } from '../db/repositories/partners.ts';
import { replaceProductMappings } from '../db/repositories/product-mappings.ts';
import { PRODUCTS } from '../simulators/demo-data.ts';
import { createSecretBox } from '../db/secret-box.ts';
import { PasswordBossClient } from '../integrations/passwordboss/client.ts';
import { resolveTemporalCli } from '../runtime/temporal-cli.ts';
import { startTemporalDevServer } from '../runtime/temporal-dev-server.ts';
import { launchChromium } from '../test/support/chromium.ts';
import { startSimulators } from '../test/support/simulators.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.ts';
import { ms, printTable } from './table.ts';

const COMPANIES = 5_000;
const RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Milliseconds from navigation start until the mapping card shows its first page and its counter,
 * as the browser's own clock reads it: the API runs in this process, and its database work must
 * not delay the stopwatch.
 */
async function firstRender(page: Page, base: string, partnerId: string, expectUnmapped: number): Promise<number> {
  await page.goto(base);
  const ready = await page.waitForFunction(
    ({ pid, unmapped }) => document.querySelector(`#app[aria-busy="false"][data-partner="${pid}"] tr[data-company]`) && document.querySelector(`.counter[data-unmapped="${unmapped}"]`) ? performance.now() : null,
    { pid: partnerId, unmapped: String(expectUnmapped) },
    { polling: 'raf', timeout: 60_000 },
  );
  return (await ready.jsonValue())!;
}

/** What the page waited on, from the browser's own timing entries: every request with its start and end. */
async function waterfall(page: Page): Promise<Array<Array<string | number>>> {
  const entries = await page.evaluate(() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource'), ...performance.getEntriesByType('paint')].map((e) => {
    const r = e as PerformanceResourceTiming;
    return { name: e.name, start: e.startTime, end: e.startTime + e.duration, wait: r.responseStart ? r.responseStart - r.requestStart : 0, size: r.encodedBodySize ?? 0 };
  }));
  return entries.sort((a, b) => a.start - b.start).map((e) => [e.name.replace(/^https?:\/\/[^/]+/, '').slice(0, 90), ms(e.start), ms(e.end), ms(e.wait), e.size]);
}

export async function benchPortal(): Promise<void> {
  const sims = await startSimulators({ companies: COMPANIES, partnerId: 'bench-portal', now: new Date() });
  const demo = sims.demo;
  const temporal = await startTemporalDevServer({ binary: resolveTemporalCli({}), searchAttributes: SEARCH_ATTRIBUTES, ui: false, port: 0, logLevel: 'error' });
  const connection = await Connection.connect({ address: temporal.address });
  const db = await createDb({ dataDir: 'memory://' });
  const browser = await launchChromium();
  const rows: Array<Array<string | number>> = [];
  try {
    await db.migrate();
    const secretsKey = randomBytes(32);
    const box = createSecretBox(secretsKey);
    // Two partners on the same simulated tenants: one with every company mapped, one with none.
    const partners = [{ id: demo.partner.id, mapped: true }, { id: 'bench-portal-new', mapped: false }];
    sims.passwordboss.upsertPartner({ ...structuredClone(demo.passwordboss.partners[0]!), id: 'bench-portal-new' });
    const keys = new Map<string, string>();
    for (const p of partners) {
      await insertPartner(db.db, { ...demo.partner, id: p.id });
      await upsertSettings(db.db, p.id, { username: demo.credentials.username, secretCiphertext: box.seal(demo.credentials.secret, p.id), trackingIdentifier: null, enabled: true, countBasis: 'users' });
      await replaceProductMappings(db.db, p.id, PRODUCTS.map((pr) => ({ productId: pr.id, productName: pr.name, autotaskServiceId: demo.productServices[pr.id]!, autotaskServiceName: pr.name })));
      await refreshCompanies(db.db, p.id, demo.passwordboss.partners[0]!.companies);
      if (p.mapped) for (const m of demo.mappings) await saveCompanyMapping(db.db, p.id, m.pbCompanyId, m);
      keys.set(p.id, (await mintApiKey(db.db, p.id, 'bench')).key);
    }
    const app = await buildApp({
      services: { db: db.db, secretBox: box, autotask: { zoneLookupUrl: sims.zoneLookupUrl, defaultTrackingIdentifier: demo.credentials.trackingIdentifier }, passwordboss: new PasswordBossClient({ baseUrl: sims.passwordbossUrl, token: sims.passwordbossToken }), now: () => new Date() },
      dbPing: () => db.ping(),
      temporal: { client: new Client({ connection }), ping: async () => {} },
      adminApiKey: randomBytes(24).toString('hex'),
      taskQueue: 'bench',
      namespace: 'default',
      portal: true,
    });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const fresh = async (key: string) => {
      // A new context has an empty HTTP cache and its own sessionStorage: a first visit.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript((k) => sessionStorage.setItem('pbas.apiKey', k), key);
      return { context, page: await context.newPage() };
    };
    /** Lets what the page does after its first render (the Password Boss re-read) end before the next measure. */
    const quiet = (page: Page) => page.waitForLoadState('networkidle').catch(() => undefined);
    for (const p of partners) {
      const unmapped = p.mapped ? COMPANIES - demo.mappings.length : COMPANIES;
      const key = keys.get(p.id)!;
      const label = p.mapped ? `${COMPANIES.toLocaleString('en')} companies, ${demo.mappings.length.toLocaleString('en')} mapped` : `${COMPANIES.toLocaleString('en')} companies, none mapped`;
      // The API's first visit for this partner: its caches are empty, the browser's too.
      const first = await fresh(key);
      const serverFirst = await firstRender(first.page, base, p.id, unmapped);
      await quiet(first.page);
      await first.context.close();
      const cold: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const { context, page } = await fresh(key);
        cold.push(await firstRender(page, base, p.id, unmapped));
        if (i === 0 && process.argv.includes('--waterfall')) printTable(`A cold first render, ${p.mapped ? 'mapped' : 'none mapped'}: what it waited on (ms from navigation)`, ['request', 'start', 'end', 'server wait', 'bytes'], await waterfall(page));
        await quiet(page);
        await context.close();
      }
      const { context, page } = await fresh(key);
      await firstRender(page, base, p.id, unmapped);
      await quiet(page);
      const warm: number[] = [];
      for (let i = 0; i < RUNS; i++) warm.push(await firstRender(page, base, p.id, unmapped));
      rows.push([label, 'first render', ms(serverFirst), ms(median(cold)), ms(Math.max(...cold)), ms(median(warm)), ms(Math.max(...warm))]);
      if (!p.mapped) {
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          await firstRender(page, base, p.id, unmapped);
          const clicked = await page.evaluate(() => performance.now());
          await page.locator('.counter').getByRole('button', { name: 'Suggest matches' }).click();
          const shown = await page.waitForFunction(() => (document.querySelectorAll('tr[data-suggestion]').length >= 500 ? performance.now() : null), undefined, { polling: 'raf', timeout: 60_000 });
          times.push((await shown.jsonValue())! - clicked);
        }
        rows.push([label, '  suggestions for all, first 500 rows shown', '—', '—', '—', ms(median(times)), ms(Math.max(...times))]);
      }
      await context.close();
    }
    await app.close();
  } finally {
    await browser.close();
    await db.close();
    await connection.close().catch(() => {});
    await temporal.stop();
    await sims.close();
  }
  printTable(`Portal in Chromium, ${COMPANIES.toLocaleString('en')} companies (PGlite, loopback; ${RUNS} runs each)`, ['partner', 'what', 'API first', 'cold median', 'cold max', 'warm median', 'warm max'], rows);
}

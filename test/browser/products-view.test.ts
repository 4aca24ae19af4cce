/**
 * The products card sends only what the user changed. A product mapped to a service that is no
 * longer in the active-services list (made inactive in Autotask) keeps that service as its own
 * choice; before, it fell onto the first option, "Not billed", and Save stopped billing it.
 */
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

it('saving another product leaves a product mapped to a now-inactive service as it was', async () => {
  const bundle = await build({
    stdin: { contents: `import { productsView } from './web/src/products-view.ts'; document.body.append(productsView('p1'));`, resolveDir: root, loader: 'ts' },
    bundle: true, format: 'esm', target: 'es2022', write: false, logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.text;
  const page = await browser.newPage();
  const puts: unknown[] = [];
  const mappings = [
    { productId: 'ent', productName: 'Enterprise', autotaskServiceId: 77, autotaskServiceName: 'Old PB Service', notBilled: false },
    { productId: 'fam', productName: 'Family', autotaskServiceId: null, autotaskServiceName: null, notBilled: false },
  ];
  await page.route('http://portal.test/**', async (route) => {
    const url = new URL(route.request().url());
    const json = (body: unknown) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
    if (url.pathname === '/') return route.fulfill({ status: 200, contentType: 'text/html', body: `<!doctype html><body><script type="module">${js}</script></body>` });
    if (url.pathname.endsWith('/autotask/services')) return json({ items: [{ id: 12, name: 'PB Family', description: null, unitPrice: null }] });
    if (url.pathname.endsWith('/product-mappings') && route.request().method() === 'GET') return json({ items: mappings });
    if (url.pathname.endsWith('/product-mappings')) {
      puts.push(route.request().postDataJSON());
      return json({ items: mappings });
    }
    return route.fulfill({ status: 404, body: '' });
  });
  await page.goto('http://portal.test/');
  await page.getByRole('button', { name: 'Edit product mappings' }).click();
  // The user maps Family, and touches nothing else.
  await page.getByLabel('Autotask service for Family').selectOption('12');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => puts.length).toBe(1);
  const sent = (puts[0] as { mappings: Array<{ productId: string; autotaskServiceId: number | null }> }).mappings;
  // Enterprise was not touched: it is not sent at all (the server keeps it), and shows its service.
  expect(sent).toEqual([{ productId: 'fam', autotaskServiceId: 12 }]);
  await page.getByRole('button', { name: 'Edit product mappings' }).click();
  expect(await page.getByLabel('Autotask service for Enterprise').locator('option:checked').textContent()).toBe('Old PB Service (inactive in Autotask)');
}, 60_000);

/**
 * What the portal's browser tests share: `npm start`'s embedded stack, one Chromium page in UTC
 * at 1280 × 900, the admin's API calls beside the page, and waiting for a run to finish.
 * Register it in a file's `beforeAll`/`afterAll` with `portalBrowser()`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './chromium.ts';
import { startPortalService, type PortalService } from './portal-service.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
/** Where the browser tests write their screenshots (ignored by git). */
export const screenshotsDir = path.join(root, 'screenshots');

export interface PortalBrowser {
  service: PortalService;
  page: Page;
  /** An admin API call; a non-2xx answer fails the test with its body. */
  call<T>(method: string, url: string, body?: unknown): Promise<T>;
  /** Polls a run until it is no longer running. */
  finished<R extends { status: string }>(partnerId: string, runId: string): Promise<R>;
}

/** Starts the stack and the browser before the file's tests and stops them after; the fields fill in at `beforeAll`. */
export function portalBrowser(): PortalBrowser {
  let browser: Browser | undefined;
  const session = {} as PortalBrowser;
  session.call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${session.service.base}${url}`, { method, headers: { authorization: `Bearer ${session.service.adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  session.finished = async <R extends { status: string }>(partnerId: string, runId: string): Promise<R> => {
    for (;;) {
      const run = await session.call<R>('GET', `/v1/partners/${partnerId}/sync-runs/${runId}`);
      if (run.status !== 'running') return run;
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  beforeAll(async () => {
    mkdirSync(screenshotsDir, { recursive: true });
    session.service = await startPortalService();
    browser = await launchChromium();
    session.page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC', locale: 'en-US' })).newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await session.service?.stop();
  });
  return session;
}

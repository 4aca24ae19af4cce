/**
 * `npm run bench -- api`: requests per second and p50/p99 latency of the reads the portal makes
 * most — a page of 100 company mappings out of 5,000, the integration settings, and the sync
 * schedule (its daylight-saving note and next run times, computed without asking Temporal) — with autocannon over
 * loopback, on PostgreSQL and on embedded PGlite.
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../api/app.ts';
import { createDb, type DbHandle } from '../db/client.ts';
import { mintApiKey } from '../db/repositories/api-keys.ts';
import { upsertSettings } from '../db/repositories/autotask-settings.ts';
import { refreshCompanies, saveCompanyMapping, setCompanyOutcome } from '../db/repositories/company-mappings.ts';
import { insertPartner } from '../db/repositories/partners.ts';
import { createSecretBox } from '../db/secret-box.ts';
import { PasswordBossClient } from '../integrations/passwordboss/client.ts';
import { generateDemoData } from '../simulators/demo-data.ts';
import { createPasswordBossSimulator } from '../simulators/passwordboss/server.ts';
import { startThrowawayPostgres } from '../test/support/throwaway-postgres.ts';
import { resolveTemporalCli } from '../runtime/temporal-cli.ts';
import { startTemporalDevServer } from '../runtime/temporal-dev-server.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.ts';
import { printTable } from './table.ts';

const COMPANIES = 5_000;

async function seed(db: DbHandle, demo: ReturnType<typeof generateDemoData>, secretsKey: Buffer): Promise<string> {
  await db.migrate();
  await insertPartner(db.db, demo.partner);
  await upsertSettings(db.db, demo.partner.id, { username: demo.credentials.username, secretCiphertext: createSecretBox(secretsKey).seal(demo.credentials.secret, demo.partner.id), trackingIdentifier: null, enabled: true, countBasis: 'users' });
  await refreshCompanies(db.db, demo.partner.id, demo.passwordboss.partners[0]!.companies);
  for (const m of demo.mappings) await saveCompanyMapping(db.db, demo.partner.id, m.pbCompanyId, m);
  // Steady state: autovacuum would have analyzed the table by now.
  await db.db.execute(sql`analyze`);
  return (await mintApiKey(db.db, demo.partner.id, 'bench')).key;
}

/** Writes one company outcome every 1000/perSecond ms, as the worker does during a sync. */
function recordResultsMeanwhile(db: DbHandle, partnerId: string, companyIds: string[], perSecond: number) {
  let running = true;
  let i = 0;
  const done = (async () => {
    while (running) {
      const id = companyIds[i++ % companyIds.length]!;
      await setCompanyOutcome(db.db, partnerId, id, { status: 'ok', detail: null, lastSyncAt: new Date(), lastRunId: '0190f0f0-0000-7000-8000-00000000b0b0' });
      await new Promise((r) => setTimeout(r, 1000 / perSecond));
    }
  })();
  return { stop: async () => { running = false; await done; } };
}

const autocannonBin = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'node_modules', '.bin', 'autocannon');

/** The load generator runs in its own process, so it does not share the API's event loop. */
async function autocannon(url: string, key: string, seconds: number, connections = 10) {
  const { stdout } = await promisify(execFile)(autocannonBin, ['-c', String(connections), '-d', String(seconds), '-H', `authorization=Bearer ${key}`, '--json', url], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number };
}

async function measure(url: string, key: string, connections = 10): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  // Warm up (the first call reads Password Boss), then measure.
  await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  await autocannon(url, key, 2, connections);
  const result = await autocannon(url, key, 10, connections);
  return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

export async function benchApi(drivers: ReadonlyArray<'postgres' | 'pglite'> = ['postgres', 'pglite']): Promise<void> {
  const demo = generateDemoData({ companies: COMPANIES, partnerId: 'bench-api' });
  const pbSim = createPasswordBossSimulator({ token: 'bench', fixture: demo.passwordboss });
  const pbUrl = await pbSim.app.listen({ host: '127.0.0.1', port: 0 });
  const pg = await startThrowawayPostgres();
  const rows: Array<Array<string | number>> = [];
  // PUT /schedule writes the partner's Temporal Schedule; the reads never reach Temporal.
  const temporal = await startTemporalDevServer({ binary: resolveTemporalCli({}), searchAttributes: SEARCH_ATTRIBUTES, ui: false, port: 0, logLevel: 'error' });
  const connection = await Connection.connect({ address: temporal.address });
  try {
    for (const driver of drivers) {
      let db: DbHandle;
      if (driver === 'postgres') {
        const name = `bench_api_${randomBytes(3).toString('hex')}`;
        const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
        await admin.unsafe(`create database ${name}`);
        await admin.end();
        db = await createDb({ databaseUrl: pg.url.replace(/\/[^/]*$/, `/${name}`), dataDir: 'unused' });
      } else {
        db = await createDb({ dataDir: 'memory://' });
      }
      const secretsKey = randomBytes(32);
      const key = await seed(db, demo, secretsKey);
      const listUrl = (base: string) => `${base}/v1/partners/${demo.partner.id}/company-mappings?limit=100&offset=2000`;
      const serve = async (companyListCacheEntries?: number) => {
        const app = await buildApp({
          services: { db: db.db, secretBox: createSecretBox(secretsKey), autotask: { zoneLookupUrl: 'http://127.0.0.1:1/unused', defaultTrackingIdentifier: demo.credentials.trackingIdentifier }, passwordboss: new PasswordBossClient({ baseUrl: pbUrl, token: 'bench' }), now: () => new Date() },
          dbPing: () => db.ping(),
          temporal: { client: new Client({ connection }), ping: async () => {} },
          adminApiKey: randomBytes(24).toString('hex'),
          taskQueue: 'bench',
          namespace: 'default',
          ...(companyListCacheEntries !== undefined ? { companyListCacheEntries } : {}),
        });
        return { app, base: await app.listen({ host: '127.0.0.1', port: 0 }) };
      };
      const cached = await serve();
      const list = await measure(listUrl(cached.base), key);
      rows.push([driver, 'company mappings, page of 100 of 5,000 (unchanged since last read)', list.rps, `${list.p50} ms`, `${list.p99} ms`, list.errors]);
      // A sync running meanwhile: each recorded result changes the partner's rows, so cached pages
      // go stale and are read again.
      const writer = recordResultsMeanwhile(db, demo.partner.id, demo.mappings.map((m) => m.pbCompanyId), 50);
      const busy = await measure(listUrl(cached.base), key);
      await writer.stop();
      rows.push([driver, '  … while a sync records 50 results/s', busy.rps, `${busy.p50} ms`, `${busy.p99} ms`, busy.errors]);
      const settings = await measure(`${cached.base}/v1/partners/${demo.partner.id}/autotask`, key);
      // 01:30 in New York occurs twice on fall-back day, so every read computes and words that note.
      const scheduleUrl = `${cached.base}/v1/partners/${demo.partner.id}/schedule`;
      const put = await fetch(scheduleUrl, { method: 'PUT', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ frequency: 'daily', time: '01:30', timezone: 'America/New_York' }) });
      if (put.status !== 200) throw new Error(`PUT /schedule answered ${put.status}: ${await put.text()}`);
      const schedule = await measure(scheduleUrl, key);
      // What one portal page waits for: Temporal's describe without nine other readers queued.
      const scheduleAlone = await measure(scheduleUrl, key, 1);
      await cached.app.close();
      const uncached = await serve(0);
      const cold = await measure(listUrl(uncached.base), key);
      await uncached.app.close();
      rows.push([driver, '  … every page read from the database (cache off)', cold.rps, `${cold.p50} ms`, `${cold.p99} ms`, cold.errors]);
      rows.push([driver, 'integration settings', settings.rps, `${settings.p50} ms`, `${settings.p99} ms`, settings.errors]);
      rows.push([driver, 'sync schedule (with its DST note and next runs)', schedule.rps, `${schedule.p50} ms`, `${schedule.p99} ms`, schedule.errors]);
      rows.push([driver, '  … one connection', scheduleAlone.rps, `${scheduleAlone.p50} ms`, `${scheduleAlone.p99} ms`, scheduleAlone.errors]);
      await db.close();
    }
  } finally {
    await connection.close().catch(() => {});
    await temporal.stop();
    await pbSim.app.close();
    pg.stop();
  }
  printTable('API reads over loopback (autocannon, 10 connections, 10 s, 2 cores shared with the load generator)', ['database', 'request', 'req/s', 'p50', 'p99', 'errors'], rows);
}

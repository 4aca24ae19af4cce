/** The ownership ledger, pending releases and "one contract, one company" on PGlite and PostgreSQL. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { listLedgerHistory, listOwnedPairs, recordLedgerWrite, type LedgerWrite } from '../../db/repositories/billing-ledger.ts';
import { clearCompanyMapping, ContractTakenError, findCompanyMapping, refreshCompanies, saveCompanyMapping, setCompanyExcluded, setCompanyOutcome } from '../../db/repositories/company-mappings.ts';
import { insertPartner } from '../../db/repositories/partners.ts';
import { listPendingReleases, requestReleases, withdrawReleases } from '../../db/repositories/pending-releases.ts';
import type { DbHandle } from '../../db/client.ts';
import { createTestDb, drivers, type Driver } from '../support/databases.ts';

const run = (n: number) => `0190f0f0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const write = (over: Partial<LedgerWrite> = {}): LedgerWrite => ({ runId: run(1), contractId: 50, serviceId: 301, effectiveDate: '2026-11-01', units: 10, pbCompanyId: 'c1', productIds: ['std'], reason: 'count', ...over });
const mapping = (contractId: number) => ({ autotaskCompanyId: 10, autotaskCompanyName: 'Acme', autotaskContractId: contractId, autotaskContractName: `Contract ${contractId}` });

describe.each(drivers)('billing ledger on %s', (driver) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await createTestDb(driver);
    await insertPartner(handle.db, { id: 'p1', name: 'Partner One', timezone: 'UTC' });
    await insertPartner(handle.db, { id: 'p2', name: 'Partner Two', timezone: 'UTC' });
    await refreshCompanies(handle.db, 'p1', ['c1', 'c2', 'c3'].map((id) => ({ id, name: id, active: true })));
    await refreshCompanies(handle.db, 'p2', [{ id: 'c1', name: 'c1', active: true }]);
  });
  afterAll(async () => handle?.close());

  it('records a confirmed write once per run and pair, and owns the latest write that left units', async () => {
    await recordLedgerWrite(handle.db, 'p1', write());
    await recordLedgerWrite(handle.db, 'p1', write()); // an activity retry
    await recordLedgerWrite(handle.db, 'p1', write({ runId: run(2), units: 12 }));
    await recordLedgerWrite(handle.db, 'p1', write({ runId: run(2), serviceId: 302, units: 0, productIds: ['adv'] }));
    await recordLedgerWrite(handle.db, 'p1', write({ runId: run(2), contractId: 60, units: 5, pbCompanyId: 'c2' }));
    expect(await listOwnedPairs(handle.db, 'p1')).toEqual([
      { contractId: 50, serviceId: 301, units: 12, effectiveDate: '2026-11-01', runId: run(2), pbCompanyId: 'c1', productIds: ['std'] },
      { contractId: 60, serviceId: 301, units: 5, effectiveDate: '2026-11-01', runId: run(2), pbCompanyId: 'c2', productIds: ['std'] },
    ]);
    expect((await listOwnedPairs(handle.db, 'p1', 'c2')).map((p) => p.contractId)).toEqual([60]);
    // A pair moved away (zeroed) is owned by nobody.
    await recordLedgerWrite(handle.db, 'p1', write({ runId: run(3), contractId: 60, units: 0, pbCompanyId: 'c2', reason: 'moved_contract' }));
    expect((await listOwnedPairs(handle.db, 'p1')).map((p) => p.contractId)).toEqual([50]);
    expect(await listOwnedPairs(handle.db, 'p2')).toEqual([]);
  });

  it('serves a company’s history newest first, and only the partner’s own', async () => {
    const history = await listLedgerHistory(handle.db, 'p1', { pbCompanyId: 'c1', limit: 10, offset: 0 });
    expect(history.map((r) => [r.runId, r.serviceId, r.units])).toEqual([[run(2), 302, 0], [run(2), 301, 12], [run(1), 301, 10]]);
    expect(await listLedgerHistory(handle.db, 'p2', { limit: 10, offset: 0 })).toEqual([]);
    expect(await listLedgerHistory(handle.db, 'p1', { limit: 1, offset: 1 })).toHaveLength(1);
  });

  it('keeps a release request until a write to the pair settles it, or the company withdraws it', async () => {
    await requestReleases(handle.db, 'p1', 'c1', [{ contractId: 50, serviceId: 301, units: 12 }, { contractId: 50, serviceId: 303, units: 2 }]);
    expect(await listPendingReleases(handle.db, 'p1')).toEqual([
      { contractId: 50, serviceId: 301, pbCompanyId: 'c1', units: 12 },
      { contractId: 50, serviceId: 303, pbCompanyId: 'c1', units: 2 },
    ]);
    expect(await listPendingReleases(handle.db, 'p2')).toEqual([]);
    await recordLedgerWrite(handle.db, 'p1', write({ runId: run(4), units: 0, reason: 'released' }));
    expect((await listPendingReleases(handle.db, 'p1')).map((r) => r.serviceId)).toEqual([303]);
    await withdrawReleases(handle.db, 'p1', 'c1');
    expect(await listPendingReleases(handle.db, 'p1')).toEqual([]);
  });

  it('maps one contract to one company, per partner, in the database itself', async () => {
    await saveCompanyMapping(handle.db, 'p1', 'c1', mapping(70));
    await expect(saveCompanyMapping(handle.db, 'p1', 'c2', mapping(70))).rejects.toBeInstanceOf(ContractTakenError);
    await expect(saveCompanyMapping(handle.db, 'p2', 'c1', mapping(70))).resolves.toMatchObject({ autotaskContractId: 70 });
    await saveCompanyMapping(handle.db, 'p1', 'c1', mapping(70)); // saving the same mapping again is fine
    await clearCompanyMapping(handle.db, 'p1', 'c1');
    await expect(saveCompanyMapping(handle.db, 'p1', 'c2', mapping(70))).resolves.toMatchObject({ autotaskContractId: 70 });
  });

  it('excludes a company: unmapped, its contract free, status excluded; taking it back leaves it unmapped', async () => {
    expect(await setCompanyExcluded(handle.db, 'p1', 'c2', true)).toMatchObject({ excluded: true, status: 'excluded', autotaskContractId: null, detail: null });
    await expect(saveCompanyMapping(handle.db, 'p1', 'c3', mapping(70))).resolves.toMatchObject({ autotaskContractId: 70, excluded: false });
    expect(await setCompanyExcluded(handle.db, 'p1', 'c2', false)).toMatchObject({ excluded: false, status: 'never_synced', autotaskContractId: null });
    expect(await setCompanyExcluded(handle.db, 'p1', 'c3', false)).toMatchObject({ excluded: false, autotaskContractId: 70 }); // not excluded: unchanged
    expect(await setCompanyExcluded(handle.db, 'p1', 'nope', true)).toBeUndefined();
  });

  it('maps an excluded company straight back: out of exclusion, and its status says so', async () => {
    await setCompanyExcluded(handle.db, 'p1', 'c1', true);
    expect(await saveCompanyMapping(handle.db, 'p1', 'c1', mapping(71))).toMatchObject({ excluded: false, status: 'never_synced', detail: null, autotaskContractId: 71 });
    // A mapped company remapped keeps its last status until its next sync says otherwise.
    await setCompanyOutcome(handle.db, 'p1', 'c1', { status: 'ok', detail: 'Up to date', lastSyncAt: new Date(), lastRunId: run(9) });
    expect(await saveCompanyMapping(handle.db, 'p1', 'c1', mapping(72))).toMatchObject({ status: 'ok', detail: 'Up to date' });
  });

  it('migrates a database whose companies already share a contract: kept, flagged, guarded again once remapped', async () => {
    const legacy = await databaseBefore0006(driver);
    try {
      await legacy.exec(`insert into partners (id, name) values ('p1', 'P')`);
      await legacy.exec(`insert into company_mappings (partner_id, pb_company_id, pb_company_name, autotask_contract_id) values ('p1', 'a', 'A', 7), ('p1', 'b', 'B', 7), ('p1', 'c', 'C', 8)`);
      const db = await legacy.migrateAll();
      const flags = async () => Object.fromEntries(await Promise.all(['a', 'b', 'c'].map(async (id) => [id, (await findCompanyMapping(db.db, 'p1', id))!.contractSharedLegacy])));
      expect(await flags()).toEqual({ a: true, b: true, c: false });
      await saveCompanyMapping(db.db, 'p1', 'b', mapping(9));
      expect(await flags()).toEqual({ a: false, b: false, c: false });
      await expect(saveCompanyMapping(db.db, 'p1', 'b', mapping(7))).rejects.toBeInstanceOf(ContractTakenError);
    } finally {
      await legacy.close();
    }
  });
});

/** A fresh database migrated up to 0005 (before the ledger), to check 0006 on old data. */
async function databaseBefore0006(driver: Driver): Promise<{ exec(sql: string): Promise<void>; migrateAll(): Promise<DbHandle>; close(): Promise<void> }> {
  const real = path.resolve('db/migrations');
  const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
  cpSync(real, dir, { recursive: true });
  const journalPath = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
  journal.entries = journal.entries.filter((e) => e.tag < '0006');
  writeFileSync(journalPath, JSON.stringify(journal));
  if (driver === 'pglite') {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    const { schema } = await import('../../db/schema.ts');
    const client = new PGlite('memory://');
    await migrate(drizzle({ client }), { migrationsFolder: dir });
    return {
      exec: async (sql) => void (await client.exec(sql)),
      async migrateAll() {
        await migrate(drizzle({ client }), { migrationsFolder: real });
        return { db: drizzle({ client, schema }) as unknown as DbHandle['db'], kind: 'pglite', migrate: async () => {}, ping: async () => {}, close: async () => {} };
      },
      close: async () => {
        rmSync(dir, { recursive: true, force: true });
        await client.close();
      },
    };
  }
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const { createDb } = await import('../../db/client.ts');
  const base = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = base.replace(/\/[^/]*$/, `/${name}`);
  const client = postgres(url, { max: 1, onnotice: () => {} });
  await migrate(drizzle({ client }), { migrationsFolder: dir });
  let full: DbHandle | undefined;
  return {
    exec: async (sql) => void (await client.unsafe(sql)),
    async migrateAll() {
      full = await createDb({ databaseUrl: url, dataDir: 'unused' });
      await full.migrate();
      return full;
    },
    close: async () => {
      rmSync(dir, { recursive: true, force: true });
      await client.end();
      await full?.close();
    },
  };
}

/** The same repository behaviour on PGlite and PostgreSQL, on the same committed migrations. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findActiveKey, mintApiKey, revokeApiKey } from '../../db/repositories/api-keys.ts';
import { upsertSettings } from '../../db/repositories/autotask-settings.ts';
import { listCompanyMappings, markCompaniesSyncing, refreshCompanies, saveCompanyMapping, setCompanyOutcome } from '../../db/repositories/company-mappings.ts';
import { recordCompanyOutcome, type CompanyOutcomeRecord } from '../../db/repositories/company-outcomes.ts';
import { claimUnitWrites, saveUnitWriteResult } from '../../db/repositories/unit-writes.ts';
import { deletePartnerRow, findPartner, insertPartner } from '../../db/repositories/partners.ts';
import { ensureRun, findRun, findRunningRun, finishRun, runProgressSet, type RunProgress } from '../../db/repositories/sync-runs.ts';
import { createTestDb, drivers } from '../support/databases.ts';
import type { DbHandle } from '../../db/client.ts';
import { companyMappings, syncResults, syncRuns } from '../../db/schema.ts';
import { asc, eq } from 'drizzle-orm';

/** Moves a run's counters by a delta, as a company's outcome statement does. */
const addRunProgress = (db: DbHandle['db'], runId: string, delta: RunProgress) => db.update(syncRuns).set(runProgressSet(delta)).where(eq(syncRuns.id, runId));

describe.each(drivers)('repositories on %s', (driver) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await createTestDb(driver);
    await insertPartner(handle.db, { id: 'p1', name: 'Partner One', timezone: 'UTC' });
  });
  afterAll(async () => handle?.close());

  it('migrates twice without harm', async () => {
    await handle.migrate();
    expect(await findPartner(handle.db, 'p1')).toMatchObject({ name: 'Partner One' });
  });

  it('keeps only a hash of API keys and honours revocation', async () => {
    const minted = await mintApiKey(handle.db, 'p1', 'portal');
    expect(minted.key).toMatch(/^pbas_/);
    expect(await findActiveKey(handle.db, minted.key)).toMatchObject({ keyId: minted.id, partner: { id: 'p1', name: 'Partner One', timezone: 'UTC' }, configured: false });
    await upsertSettings(handle.db, 'p1', { username: 'api@example.com', secretCiphertext: null, trackingIdentifier: null, enabled: false, countBasis: 'users' });
    expect(await findActiveKey(handle.db, minted.key)).toMatchObject({ configured: true });
    expect(await findActiveKey(handle.db, `${minted.key}x`)).toBeUndefined();
    expect(await revokeApiKey(handle.db, 'p2', minted.id)).toBe(false);
    expect(await revokeApiKey(handle.db, 'p1', minted.id)).toBe(true);
    expect(await findActiveKey(handle.db, minted.key)).toBeUndefined();
  });

  it('records runs idempotently and counts progress without lost updates', async () => {
    const id = '0190f0f0-0000-7000-8000-000000000001';
    const first = await ensureRun(handle.db, { id, partnerId: 'p1', workflowId: 'w', trigger: 'manual', dryRun: false });
    const again = await ensureRun(handle.db, { id, partnerId: 'p1', workflowId: 'other', trigger: 'schedule', dryRun: true });
    expect(again).toEqual(first);
    expect(await findRunningRun(handle.db, 'p1', false)).toMatchObject({ id });
    await Promise.all(Array.from({ length: 20 }, () => addRunProgress(handle.db, id, { done: 1, failed: 0, unitsChanged: 3, adjustments: 1 })));
    await finishRun(handle.db, id, 'ok', null);
    expect(await findRun(handle.db, 'p1', id)).toMatchObject({ done: 20, unitsChanged: 60, adjustments: 20, status: 'ok' });
    expect(await findRun(handle.db, 'p2', id)).toBeUndefined();
    expect(await findRunningRun(handle.db, 'p1', false)).toBeUndefined();
  });

  it('records a company outcome once, in one statement, with the run counters and the company status', async () => {
    await insertPartner(handle.db, { id: 'p4', name: 'Partner Four', timezone: 'UTC' });
    await refreshCompanies(handle.db, 'p4', Array.from({ length: 30 }, (_, i) => ({ id: `c-${i}`, name: `Company ${i}`, active: true })));
    const runId = '0190f0f0-0000-7000-8000-000000000004';
    await ensureRun(handle.db, { id: runId, partnerId: 'p4', workflowId: 'w', trigger: 'api', dryRun: false });
    const row = (productId: string, over: Partial<CompanyOutcomeRecord['rows'][number]> = {}) => ({ productId, serviceId: 301, action: 'set', status: 'ok' as const, unitsBefore: 4, unitsAfter: 6, adjustmentId: 9, errorType: null, detail: null, ...over });
    const outcome = (pbCompanyId: string, over: Partial<CompanyOutcomeRecord> = {}): CompanyOutcomeRecord => ({ runId, partnerId: 'p4', pbCompanyId, contractId: 77, dryRun: false, status: 'ok', detail: null, rows: [row('pb-standard')], unitsChanged: 2, adjustments: 1, at: new Date('2026-11-27T12:00:00Z'), ...over });

    // Concurrent companies: no counter update is lost.
    const firsts = await Promise.all(Array.from({ length: 20 }, (_, i) => recordCompanyOutcome(handle.db, outcome(`c-${i}`))));
    expect(firsts.every(Boolean)).toBe(true);
    // A switched company with two rows and an error; then its retry, which changes nothing.
    const switched = outcome('c-20', { status: 'error', detail: 'posted period', rows: [row('pb-standard', { unitsAfter: 0, unitsBefore: 3, adjustmentId: 10 }), row('pb-advanced', { status: 'error', errorType: 'PostedPeriod', detail: 'posted period', unitsAfter: null, adjustmentId: null })], unitsChanged: 3, adjustments: 1 });
    expect(await recordCompanyOutcome(handle.db, switched)).toBe(true);
    expect(await recordCompanyOutcome(handle.db, { ...switched, status: 'ok', unitsChanged: 100 })).toBe(false);
    expect(await findRun(handle.db, 'p4', runId)).toMatchObject({ done: 21, failed: 1, unitsChanged: 43, adjustments: 21 });
    const results = await handle.db.select().from(syncResults).where(eq(syncResults.pbCompanyId, 'c-20')).orderBy(asc(syncResults.productId));
    expect(results).toMatchObject([
      { runId, partnerId: 'p4', productId: 'pb-advanced', autotaskContractId: 77, autotaskServiceId: 301, status: 'error', errorType: 'PostedPeriod', unitsAfter: null },
      { productId: 'pb-standard', status: 'ok', unitsBefore: 3, unitsAfter: 0, adjustmentId: 10 },
    ]);
    const company = async (id: string) => (await listCompanyMappings(handle.db, 'p4', { limit: 100, offset: 0 })).items.find((c) => c.pbCompanyId === id)!;
    expect(await company('c-20')).toMatchObject({ status: 'error', detail: 'posted period', lastRunId: runId, lastSyncAt: new Date('2026-11-27T12:00:00Z') });
    expect(await company('c-3')).toMatchObject({ status: 'ok', detail: null, lastRunId: runId });
    // A dry run counts in its run but leaves the company's status as the last real sync left it.
    const dryRunId = '0190f0f0-0000-7000-8000-000000000005';
    await ensureRun(handle.db, { id: dryRunId, partnerId: 'p4', workflowId: 'w-dry', trigger: 'api', dryRun: true });
    expect(await recordCompanyOutcome(handle.db, outcome('c-20', { runId: dryRunId, dryRun: true, status: 'warning', detail: 'would change' }))).toBe(true);
    expect(await findRun(handle.db, 'p4', dryRunId)).toMatchObject({ done: 1, failed: 0 });
    expect(await company('c-20')).toMatchObject({ status: 'error', detail: 'posted period', lastRunId: runId });
    expect(await company('c-25')).toMatchObject({ status: 'never_synced', lastRunId: null });
  });

  it('stores a field missing at run time as NULL, as JSON through a workflow history can leave it', async () => {
    await insertPartner(handle.db, { id: 'p9', name: 'Partner Nine', timezone: 'UTC' });
    await refreshCompanies(handle.db, 'p9', [{ id: 'c-1', name: 'Company 1', active: true }]);
    const runId = '0190f0f0-0000-7000-8000-000000000009';
    await ensureRun(handle.db, { id: runId, partnerId: 'p9', workflowId: 'w-missing', trigger: 'api', dryRun: false });
    // errorType, detail and adjustmentId absent: the types forbid it, a decoded payload does not.
    const row = JSON.parse(JSON.stringify({ productId: 'pb-standard', serviceId: 301, action: 'set', status: 'ok', unitsBefore: 4, unitsAfter: 6, adjustmentId: undefined, errorType: undefined, detail: undefined })) as CompanyOutcomeRecord['rows'][number];
    const outcome = { runId, partnerId: 'p9', pbCompanyId: 'c-1', contractId: 77, dryRun: false, status: 'ok', detail: undefined, rows: [row], unitsChanged: 2, adjustments: 1, at: new Date('2026-11-27T12:00:00Z') } as unknown as CompanyOutcomeRecord;
    expect(await recordCompanyOutcome(handle.db, outcome)).toBe(true);
    const [stored] = await handle.db.select().from(syncResults).where(eq(syncResults.runId, runId));
    expect(stored).toMatchObject({ pbCompanyId: 'c-1', unitsAfter: 6, adjustmentId: null, errorType: null, detail: null });
    await claimUnitWrites(handle.db, runId, 'c-1', [{ contractId: 7009, serviceId: 301, target: 6, effectiveDate: '2026-11-01' }]);
    await saveUnitWriteResult(handle.db, runId, 7009, 301, row);
  });

  it('claims writes before they are sent and hands a retry what an earlier attempt confirmed', async () => {
    const runId = '0190f0f0-0000-7000-8000-000000000006';
    await ensureRun(handle.db, { id: runId, partnerId: 'p1', workflowId: 'w-claims', trigger: 'api', dryRun: false });
    const w = (contractId: number, serviceId: number) => ({ contractId, serviceId, target: 5, effectiveDate: '2026-11-01' });
    const fresh = { attempts: 1, result: null, postedAt: null, adjustmentId: null, heldBy: null };
    const first = await claimUnitWrites(handle.db, runId, 'c-1', [w(7001, 301), w(7001, 302)]);
    expect([...first]).toEqual([['7001:301', fresh], ['7001:302', fresh]]);
    const confirmed = { productId: 'std', serviceId: 301, action: 'set', status: 'ok' as const, unitsBefore: 4, unitsAfter: 0, adjustmentId: 9, errorType: null, detail: 'PB Standard: 4 → 0' };
    await saveUnitWriteResult(handle.db, runId, 7001, 301, confirmed);
    const retry = await claimUnitWrites(handle.db, runId, 'c-1', [w(7001, 301), w(7001, 302)]);
    expect([...retry]).toEqual([['7001:301', { ...fresh, attempts: 2, result: confirmed }], ['7001:302', { ...fresh, attempts: 2 }]]);
    // Another contract is another claim; another company reaching the same pair in the run is refused it.
    expect((await claimUnitWrites(handle.db, runId, 'c-2', [w(7002, 301)])).get('7002:301')).toEqual(fresh);
    expect((await claimUnitWrites(handle.db, runId, 'c-2', [w(7001, 302)])).get('7001:302')).toEqual({ attempts: 0, result: null, postedAt: null, adjustmentId: null, heldBy: 'c-1' });
    expect((await claimUnitWrites(handle.db, runId, 'c-1', [])).size).toBe(0);
  });

  it('pages company mappings with their total, for every filter shape', async () => {
    await insertPartner(handle.db, { id: 'p3', name: 'Partner Three', timezone: 'UTC' });
    const companies = Array.from({ length: 12 }, (_, i) => ({ id: `c-${String(i).padStart(2, '0')}`, name: i === 3 ? '100% Widgets_Co' : `Company ${String(i).padStart(2, '0')}`, active: true }));
    await refreshCompanies(handle.db, 'p3', companies);
    // One contract, one company: each gets its own.
    for (const [i, id] of ['c-01', 'c-02', 'c-03'].entries()) await saveCompanyMapping(handle.db, 'p3', id, { autotaskCompanyId: 1, autotaskCompanyName: 'Acme Holdings', autotaskContractId: 2 + i, autotaskContractName: 'Recurring' });
    const version = async () => (await findPartner(handle.db, 'p3'))!.companiesVersion;
    const v0 = await version();
    await setCompanyOutcome(handle.db, 'p3', 'c-05', { status: 'ok', detail: null, lastSyncAt: new Date(), lastRunId: '0190f0f0-0000-7000-8000-000000000003' });
    expect(await version()).toBe(v0 + 1); // any change to the partner's rows bumps it, in the same transaction
    await markCompaniesSyncing(handle.db, 'p3', companies.map((c) => c.id));
    expect(await version()).toBe(v0 + 2); // once per statement, not once per row
    await setCompanyOutcome(handle.db, 'p1', 'nope', { status: 'ok', detail: null, lastSyncAt: new Date(), lastRunId: '0190f0f0-0000-7000-8000-000000000003' });
    expect(await version()).toBe(v0 + 2); // other partners' changes leave it alone
    await setCompanyOutcome(handle.db, 'p3', 'c-05', { status: 'never_synced', detail: null, lastSyncAt: new Date(), lastRunId: '0190f0f0-0000-7000-8000-000000000003' });
    await handle.db.update(companyMappings).set({ status: 'never_synced' }).where(eq(companyMappings.partnerId, 'p3'));
    await setCompanyOutcome(handle.db, 'p3', 'c-02', { status: 'error', detail: 'contract ended', lastSyncAt: new Date(), lastRunId: '0190f0f0-0000-7000-8000-000000000002' });
    const list = (q: Partial<Parameters<typeof listCompanyMappings>[2]>) => listCompanyMappings(handle.db, 'p3', { limit: 5, offset: 0, ...q });

    const first = await list({});
    expect(first.total).toBe(12);
    expect(first.items.map((c) => c.pbCompanyId)).toEqual(['c-03', 'c-00', 'c-01', 'c-02', 'c-04']); // by name
    expect(await list({ offset: 10 })).toMatchObject({ total: 12, items: [{ pbCompanyId: 'c-10' }, { pbCompanyId: 'c-11' }] });
    expect(await list({ offset: 50 })).toEqual({ total: 12, items: [] });
    expect((await list({ mapped: true })).total).toBe(3);
    expect((await list({ mapped: false, limit: 100 })).items).toHaveLength(9);
    expect(await list({ status: 'error' })).toMatchObject({ total: 1, items: [{ pbCompanyId: 'c-02', detail: 'contract ended' }] });
    expect((await list({ search: 'acme', status: 'never_synced' })).items.map((c) => c.pbCompanyId)).toEqual(['c-03', 'c-01']);
    // LIKE wildcards typed by the user match literally.
    expect((await list({ search: '0%' })).items.map((c) => c.pbCompanyId)).toEqual(['c-03']);
    expect((await list({ search: 'y_0' })).total).toBe(0); // would match 'Company 00' as a wildcard
    expect((await list({ search: 'nothing like it', offset: 5 })).total).toBe(0);
    expect(await listCompanyMappings(handle.db, 'p1', { limit: 5, offset: 0 })).toEqual({ total: 0, items: [] });
    // Deleting the partner cascades through the rows (and their trigger) without error.
    expect(await deletePartnerRow(handle.db, 'p3')).toBe(true);
  });
});

/** The same repository behaviour on PGlite and PostgreSQL, on the same committed migrations. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findActiveKey, mintApiKey, revokeApiKey } from '../../db/repositories/api-keys.ts';
import { findPartner, insertPartner } from '../../db/repositories/partners.ts';
import { addRunProgress, ensureRun, findRun, findRunningRun, finishRun } from '../../db/repositories/sync-runs.ts';
import { createTestDb, drivers } from '../support/databases.ts';
import type { DbHandle } from '../../db/client.ts';

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
    expect(await findActiveKey(handle.db, minted.key)).toMatchObject({ partnerId: 'p1' });
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
});

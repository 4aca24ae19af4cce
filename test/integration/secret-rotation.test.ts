/**
 * Key rotation without downtime (issue 14): with SECRETS_KEY=<new>,<old> every row stays
 * readable before, during and after `npm run secrets:rotate`, which leaves every row under the
 * new key; a ciphertext copied to another partner's row is refused; DATA_DIR is private.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../db/client.ts';
import { findSettings, upsertSettings } from '../../db/repositories/autotask-settings.ts';
import { insertPartner } from '../../db/repositories/partners.ts';
import { autotaskSettings } from '../../db/schema.ts';
import { createSecretBox } from '../../db/secret-box.ts';
import { rotateSecrets } from '../../db/secret-rotation.ts';
import { decodeKeys, parseEnv } from '../../config/env.ts';
import { resolveLocalSecrets } from '../../runtime/local-secrets.ts';
import { createTestDb } from '../support/databases.ts';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
let db: DbHandle;

function legacySeal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

const settings = (secretCiphertext: string) => ({ username: 'api@x.example', secretCiphertext, trackingIdentifier: null, enabled: true, countBasis: 'users' as const });

beforeAll(async () => {
  db = await createTestDb('postgres');
  for (const id of ['legacy', 'current', 'other']) await insertPartner(db.db, { id, name: id, timezone: 'UTC' });
  await upsertSettings(db.db, 'legacy', settings(legacySeal(oldKey, 'legacy-secret')));
  await upsertSettings(db.db, 'current', settings(createSecretBox(oldKey).seal('current-secret', 'current')));
});
afterAll(async () => db?.close());

const readAll = async (box: ReturnType<typeof createSecretBox>) =>
  Promise.all(['legacy', 'current'].map(async (pid) => box.open((await findSettings(db.db, pid))!.secretCiphertext!, pid)));

describe('secrets:rotate', () => {
  it('keeps every row readable before, during and after, and ends with every row under the new key', async () => {
    const before = createSecretBox(oldKey);
    // SECRETS_KEY=<new>,<old> as an operator writes it: newest first, hex or base64.
    const during = createSecretBox(decodeKeys(parseEnv({ SECRETS_KEY: `${newKey.toString('hex')}, ${oldKey.toString('base64')}` }).SECRETS_KEY!)!);
    const after = createSecretBox(newKey);
    expect(await readAll(before)).toEqual(['legacy-secret', 'current-secret']);
    expect(await readAll(during)).toEqual(['legacy-secret', 'current-secret']);
    await expect(readAll(after)).rejects.toThrow();

    const report = await rotateSecrets(db.db, during);
    expect(report).toEqual({ rotated: 2, current: 0, changedMeanwhile: 0, unreadable: [] });
    expect(await readAll(during)).toEqual(['legacy-secret', 'current-secret']);
    expect(await readAll(after)).toEqual(['legacy-secret', 'current-secret']);
    expect((await rotateSecrets(db.db, during)).current).toBe(2);
  });

  it("refuses a ciphertext copied into another partner's row", async () => {
    const box = createSecretBox([newKey, oldKey]);
    const copied = (await findSettings(db.db, 'current'))!.secretCiphertext!;
    await upsertSettings(db.db, 'other', settings(copied));
    const stored = (await findSettings(db.db, 'other'))!.secretCiphertext!;
    expect(() => box.open(stored, 'other')).toThrow();
    expect(box.open(stored, 'current')).toBe('current-secret');
    await db.db.delete(autotaskSettings).where(eq(autotaskSettings.partnerId, 'other'));
  });
});

describe('DATA_DIR', () => {
  it('is created readable by its owner only, pglite/ and secrets.json too', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'pbas-private-'));
    const dataDir = path.join(parent, 'data');
    try {
      resolveLocalSecrets(parseEnv({ DATA_DIR: dataDir }));
      const pglite = await createDb({ dataDir });
      await pglite.close();
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(dataDir, 'pglite')).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

/**
 * Partner API keys: random, shown once, stored as SHA-256. A lookup by hash is already
 * constant-time with respect to the key's content (the index compares digests, not keys).
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { preparedPerDb } from '../prepared.ts';
import { apiKeys, autotaskSettings, partners } from '../schema.ts';

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export async function mintApiKey(db: Db, partnerId: string, label?: string) {
  const key = `pbas_${randomBytes(30).toString('base64url')}`;
  const [row] = await db
    .insert(apiKeys)
    .values({ partnerId, keyHash: hashKey(key), prefix: key.slice(0, 10), label: label ?? null })
    .returning({ id: apiKeys.id, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt });
  return { ...row!, key };
}

const keyWithPartner = preparedPerDb((db) =>
  db
    .select({ keyId: apiKeys.id, partner: partners, configured: sql<boolean>`${autotaskSettings.partnerId} is not null` })
    .from(apiKeys)
    .innerJoin(partners, eq(partners.id, apiKeys.partnerId))
    .leftJoin(autotaskSettings, eq(autotaskSettings.partnerId, apiKeys.partnerId))
    .where(and(eq(apiKeys.keyHash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
    .limit(1)
    .prepare('key_with_partner')
);

/**
 * An active key with its partner and whether the integration was saved, in one round trip: every
 * partner request needs all three, so authentication answers them together.
 */
export async function findActiveKey(db: Db, key: string) {
  const [row] = await keyWithPartner(db).execute({ hash: hashKey(key) });
  return row;
}

export async function listApiKeys(db: Db, partnerId: string) {
  return db
    .select({ id: apiKeys.id, prefix: apiKeys.prefix, label: apiKeys.label, createdAt: apiKeys.createdAt, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.partnerId, partnerId))
    .orderBy(apiKeys.createdAt);
}

export async function revokeApiKey(db: Db, partnerId: string, id: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.partnerId, partnerId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

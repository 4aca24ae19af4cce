/**
 * Partner API keys: random, shown once, stored as SHA-256. A lookup by hash is already
 * constant-time with respect to the key's content (the index compares digests, not keys).
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { apiKeys } from '../schema.ts';

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export async function mintApiKey(db: Db, partnerId: string, label?: string) {
  const key = `pbas_${randomBytes(30).toString('base64url')}`;
  const [row] = await db
    .insert(apiKeys)
    .values({ partnerId, keyHash: hashKey(key), prefix: key.slice(0, 10), label: label ?? null })
    .returning({ id: apiKeys.id, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt });
  return { ...row!, key };
}

export async function findActiveKey(db: Db, key: string) {
  const [row] = await db
    .select({ id: apiKeys.id, partnerId: apiKeys.partnerId })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashKey(key)), isNull(apiKeys.revokedAt)))
    .limit(1);
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

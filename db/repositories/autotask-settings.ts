import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { preparedPerDb } from '../prepared.ts';
import { autotaskSettings } from '../schema.ts';

export type AutotaskSettingsRow = typeof autotaskSettings.$inferSelect;

/** Read by every company with a write (the switch and the credentials): prepared once. */
const settingsOf = preparedPerDb((db) => db.select().from(autotaskSettings).where(eq(autotaskSettings.partnerId, sql.placeholder('partnerId'))).limit(1).prepare('autotask_settings'));

export async function findSettings(db: Db, partnerId: string): Promise<AutotaskSettingsRow | undefined> {
  const [row] = await settingsOf(db).execute({ partnerId });
  return row;
}

export async function upsertSettings(
  db: Db,
  partnerId: string,
  values: Omit<typeof autotaskSettings.$inferInsert, 'partnerId' | 'createdAt' | 'updatedAt'>
): Promise<AutotaskSettingsRow> {
  const [row] = await db
    .insert(autotaskSettings)
    .values({ partnerId, ...values })
    .onConflictDoUpdate({ target: autotaskSettings.partnerId, set: { ...values, updatedAt: new Date() } })
    .returning();
  return row!;
}

export async function setEnabled(db: Db, partnerId: string, enabled: boolean): Promise<AutotaskSettingsRow | undefined> {
  const [row] = await db.update(autotaskSettings).set({ enabled, updatedAt: new Date() }).where(eq(autotaskSettings.partnerId, partnerId)).returning();
  return row;
}

export async function recordAuthentication(db: Db, partnerId: string, result: { ok: boolean; detail: string; zoneName?: string | null; zoneUrl?: string | null }): Promise<void> {
  await db
    .update(autotaskSettings)
    .set({
      lastAuthenticatedAt: new Date(),
      lastAuthenticationOk: result.ok,
      lastAuthenticationDetail: result.detail,
      ...(result.ok ? { zoneName: result.zoneName ?? null, zoneUrl: result.zoneUrl ?? null } : {}),
    })
    .where(eq(autotaskSettings.partnerId, partnerId));
}

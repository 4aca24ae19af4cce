import { eq } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { autotaskSettings, syncSchedules } from '../schema.ts';

export type SyncScheduleRow = typeof syncSchedules.$inferSelect;

export async function findSchedule(db: Db, partnerId: string): Promise<SyncScheduleRow | undefined> {
  const [row] = await db.select().from(syncSchedules).where(eq(syncSchedules.partnerId, partnerId)).limit(1);
  return row;
}

export async function upsertSchedule(db: Db, partnerId: string, values: { frequency: 'daily' | 'weekly'; dayOfWeek: string | null; time: string; timezone: string }): Promise<SyncScheduleRow> {
  const [row] = await db
    .insert(syncSchedules)
    .values({ partnerId, ...values })
    .onConflictDoUpdate({ target: syncSchedules.partnerId, set: { ...values, updatedAt: new Date() } })
    .returning();
  return row!;
}

/** Every saved schedule with its integration's switch: what Temporal's schedules should be. */
export async function listSchedulesWithSwitch(db: Db) {
  return db
    .select({ partnerId: syncSchedules.partnerId, frequency: syncSchedules.frequency, dayOfWeek: syncSchedules.dayOfWeek, time: syncSchedules.time, timezone: syncSchedules.timezone, enabled: autotaskSettings.enabled })
    .from(syncSchedules)
    .leftJoin(autotaskSettings, eq(autotaskSettings.partnerId, syncSchedules.partnerId));
}

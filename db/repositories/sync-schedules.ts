import { eq, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { preparedPerDb } from '../prepared.ts';
import { autotaskSettings, syncSchedules } from '../schema.ts';

export type SyncScheduleRow = typeof syncSchedules.$inferSelect;

const scheduleWithSwitch = preparedPerDb((db) =>
  db
    .select({ enabled: autotaskSettings.enabled, schedule: syncSchedules })
    .from(autotaskSettings)
    .leftJoin(syncSchedules, eq(syncSchedules.partnerId, autotaskSettings.partnerId))
    .where(eq(autotaskSettings.partnerId, sql.placeholder('partnerId')))
    .limit(1)
    .prepare('schedule_with_switch')
);

/**
 * The schedule with its integration's switch, in one round trip (the schedule read needs both);
 * undefined while the integration has never been saved, a null schedule while none is set.
 */
export async function findScheduleWithSwitch(db: Db, partnerId: string): Promise<{ enabled: boolean; schedule: SyncScheduleRow | null } | undefined> {
  const [row] = await scheduleWithSwitch(db).execute({ partnerId });
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

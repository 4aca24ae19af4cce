/**
 * Temporal's schedules follow the database: at start-up lost schedules are recreated and stale
 * ones corrected (a schedule changed while Temporal was away, a dev server started afresh). The
 * service's daily month-end reminder schedule is ensured here too.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client.ts';
import { listSchedulesWithSwitch } from '../db/repositories/sync-schedules.ts';
import type { ManagedDb } from '../runtime/database.ts';
import type { Logger } from '../runtime/logger.ts';
import type { SyncSchedule } from '../sync/schedule-spec.ts';
import { ensureReminderSchedule, ensureSchedule } from './schedules.ts';

/** Recreates lost schedules and corrects stale ones, so Temporal matches the database. */
export async function reconcileSchedules(db: Db, client: Client, taskQueue: string): Promise<{ ensured: number }> {
  const rows = await listSchedulesWithSwitch(db);
  for (const row of rows) {
    await ensureSchedule(client, row.partnerId, { frequency: row.frequency, dayOfWeek: row.dayOfWeek as SyncSchedule['dayOfWeek'], time: row.time, timezone: row.timezone }, !(row.enabled ?? false), taskQueue);
  }
  await ensureReminderSchedule(client, taskQueue);
  return { ensured: rows.length };
}

/**
 * Reconciles once the database is migrated and Temporal answers, retrying in the background with
 * backoff so neither being late stops the process from starting.
 */
export async function reconcileWhenReady(db: ManagedDb, client: Client, taskQueue: string, log: Logger): Promise<void> {
  for (let delay = 1_000; ; delay = Math.min(delay * 2, 60_000)) {
    try {
      await db.ready;
      const { ensured } = await reconcileSchedules(db.handle.db, client, taskQueue);
      log.info({ schedules: ensured }, 'schedules reconciled with the database');
      return;
    } catch (err) {
      log.warn({ err: (err as Error).message }, `schedule reconciliation failed; retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

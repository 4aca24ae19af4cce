/** A partner's notification channels, and which (run, channel) pairs have been told already. */
import { and, desc, eq, inArray, lt, ne } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { notificationDeliveries, notificationSettings, syncRuns } from '../schema.ts';
import type { NotificationEvent } from '../../sync/notifications.ts';
import { runStatuses } from '../../sync/vocabulary.ts';

/** Statuses that say how a run went: not `running`, and not `skipped` (it did not try). */
const outcomeStatuses = runStatuses.filter((s) => s !== 'running' && s !== 'skipped');

export type NotificationSettingsRow = typeof notificationSettings.$inferSelect;
export type NotificationChannel = (typeof notificationDeliveries.$inferInsert)['channel'];

export async function findNotificationSettings(db: Db, partnerId: string): Promise<NotificationSettingsRow | undefined> {
  const [row] = await db.select().from(notificationSettings).where(eq(notificationSettings.partnerId, partnerId)).limit(1);
  return row;
}

export interface SaveNotificationSettings {
  emails: string[];
  webhookUrl: string | null;
  /** The sealed signing secret to keep (null with no webhook). */
  webhookSecretCiphertext: string | null;
  events: NotificationEvent[];
}

export async function saveNotificationSettings(db: Db, partnerId: string, values: SaveNotificationSettings): Promise<NotificationSettingsRow> {
  const [row] = await db
    .insert(notificationSettings)
    .values({ partnerId, ...values })
    .onConflictDoUpdate({ target: notificationSettings.partnerId, set: { ...values, updatedAt: new Date() } })
    .returning();
  return row!;
}

/**
 * The status of the partner's last real run that finished before `runId` started: what a
 * recovery is measured against. Dry runs, skipped runs and runs still going do not count.
 */
export async function previousRunStatus(db: Db, partnerId: string, runId: string, startedBefore: Date): Promise<string | null> {
  const [row] = await db
    .select({ status: syncRuns.status })
    .from(syncRuns)
    .where(and(
      eq(syncRuns.partnerId, partnerId),
      ne(syncRuns.id, runId),
      eq(syncRuns.dryRun, false),
      inArray(syncRuns.status, outcomeStatuses),
      lt(syncRuns.startedAt, startedBefore),
    ))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1);
  return row?.status ?? null;
}

export async function deliveredChannels(db: Db, runId: string): Promise<Set<NotificationChannel>> {
  const rows = await db.select({ channel: notificationDeliveries.channel }).from(notificationDeliveries).where(eq(notificationDeliveries.runId, runId));
  return new Set(rows.map((r) => r.channel));
}

export async function recordDelivery(db: Db, runId: string, channel: NotificationChannel, event: NotificationEvent): Promise<void> {
  await db.insert(notificationDeliveries).values({ runId, channel, event }).onConflictDoNothing();
}

/**
 * What the month-end reminder reads (each enabled partner's last real run and failing companies)
 * and its once-a-day claims (reminder_deliveries).
 */
import { and, desc, eq, inArray, isNotNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { autotaskSettings, companyMappings, partners, reminderDeliveries, syncRuns } from '../schema.ts';
import type { PartnerHealth } from '../../sync/reminders.ts';

export type ReminderChannel = (typeof reminderDeliveries.$inferInsert)['channel'];

export interface ReminderCandidate extends PartnerHealth {
  partnerId: string;
  partnerName: string;
  timezone: string;
}

/**
 * Every partner whose integration is enabled, with the status of its newest finished real run
 * (dry runs change nothing, skipped runs did not try) and how many of its companies still show
 * `error` or `warning`. Only companies a run would sync count: an unmapped, excluded or inactive
 * company keeps its last status for the record, but nobody can fix it by the month's end.
 */
export async function listReminderCandidates(db: Db): Promise<ReminderCandidate[]> {
  const last = db
    .select({ status: syncRuns.status })
    .from(syncRuns)
    .where(and(eq(syncRuns.partnerId, partners.id), eq(syncRuns.dryRun, false), ne(syncRuns.status, 'running'), ne(syncRuns.status, 'skipped')))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1)
    .as('last_run');
  const failing = db
    .select({ n: sql<number>`count(*)::int`.as('n') })
    .from(companyMappings)
    .where(and(
      eq(companyMappings.partnerId, partners.id),
      inArray(companyMappings.status, ['error', 'warning']),
      isNotNull(companyMappings.autotaskCompanyId),
      eq(companyMappings.excluded, false),
      eq(companyMappings.pbCompanyActive, true),
    ))
    .as('failing');
  const rows = await db
    .select({ partnerId: partners.id, partnerName: partners.name, timezone: partners.timezone, lastRunStatus: last.status, companiesFailing: failing.n })
    .from(partners)
    .innerJoin(autotaskSettings, and(eq(autotaskSettings.partnerId, partners.id), eq(autotaskSettings.enabled, true)))
    .leftJoinLateral(last, sql`true`)
    .leftJoinLateral(failing, sql`true`);
  return rows.map((r) => ({ ...r, lastRunStatus: r.lastRunStatus ?? null, companiesFailing: Number(r.companiesFailing ?? 0) }));
}

/** Claims the day's reminder on a channel; false when it was claimed already (sent, or being sent). */
export async function claimReminder(db: Db, partnerId: string, day: string, channel: ReminderChannel): Promise<boolean> {
  const rows = await db.insert(reminderDeliveries).values({ partnerId, day, channel }).onConflictDoNothing().returning({ day: reminderDeliveries.day });
  return rows.length > 0;
}

/** Gives a claim back after a send that failed, so Temporal's retry sends it. */
export async function releaseReminder(db: Db, partnerId: string, day: string, channel: ReminderChannel): Promise<void> {
  await db.delete(reminderDeliveries).where(and(eq(reminderDeliveries.partnerId, partnerId), eq(reminderDeliveries.day, day), eq(reminderDeliveries.channel, channel)));
}

/**
 * One Temporal Schedule per partner (`partner-sync/<partnerId>`): daily or weekly at a time in
 * the partner's timezone, overlap SKIP, an explicit catch-up window, paused while the
 * integration is disabled. `reconcileSchedules` makes Temporal match the database at start-up.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { autotaskSettings, syncSchedules } from '../db/schema.ts';
import { calendarFor, type SyncSchedule } from '../sync/schedule-spec.ts';
import { partnerWorkflowId, scheduleId } from '../workflows/inputs.ts';
import { PartnerIdKey, SyncTriggerKey } from '../workflows/search-attributes.ts';

/** A missed run (server down at the time) still starts if the server is back within this window. */
export const CATCHUP_WINDOW = '6 hours';

function options(partnerId: string, schedule: SyncSchedule, paused: boolean, taskQueue: string): ScheduleOptions {
  const calendar = calendarFor(schedule);
  return {
    scheduleId: scheduleId(partnerId),
    spec: {
      calendars: [{ hour: calendar.hour, minute: calendar.minute, ...(calendar.dayOfWeek ? { dayOfWeek: calendar.dayOfWeek } : {}), comment: calendar.comment }],
      timezone: schedule.timezone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'partnerSync',
      taskQueue,
      workflowId: partnerWorkflowId(partnerId, 'scheduled'),
      args: [{ partnerId, trigger: 'schedule' }],
      typedSearchAttributes: [{ key: PartnerIdKey, value: partnerId }, { key: SyncTriggerKey, value: 'schedule' }],
      staticSummary: `Scheduled sync for partner ${partnerId}`,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW, pauseOnFailure: false },
    state: { paused, note: paused ? 'integration disabled' : 'integration enabled' },
    typedSearchAttributes: [{ key: PartnerIdKey, value: partnerId }],
  };
}

/** Creates the schedule, or updates it in place when it exists. */
export async function ensureSchedule(client: Client, partnerId: string, schedule: SyncSchedule, paused: boolean, taskQueue: string): Promise<void> {
  const opts = options(partnerId, schedule, paused, taskQueue);
  try {
    await client.schedule.create(opts);
    return;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(opts.scheduleId);
  await handle.update((prev) => ({ ...prev, spec: opts.spec, action: opts.action, policies: opts.policies, state: { ...prev.state, paused, note: opts.state!.note! } }));
}

export async function setSchedulePaused(client: Client, partnerId: string, paused: boolean): Promise<boolean> {
  const handle = client.schedule.getHandle(scheduleId(partnerId));
  try {
    if (paused) await handle.pause('integration disabled');
    else await handle.unpause('integration enabled');
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}

export async function deleteSchedule(client: Client, partnerId: string): Promise<void> {
  try {
    await client.schedule.getHandle(scheduleId(partnerId)).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

export interface ScheduleState {
  paused: boolean;
  nextRuns: Date[];
  recentRuns: Array<{ scheduledAt: Date; workflowId: string }>;
}

export async function describeSchedule(client: Client, partnerId: string): Promise<ScheduleState | null> {
  try {
    const d = await client.schedule.getHandle(scheduleId(partnerId)).describe();
    return {
      paused: d.state.paused,
      nextRuns: d.info.nextActionTimes.slice(0, 5),
      recentRuns: d.info.recentActions.slice(-5).map((a) => ({ scheduledAt: a.scheduledAt, workflowId: a.action.workflow.workflowId })),
    };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
}

/** Recreates lost schedules and corrects stale ones, so Temporal matches the database. */
export async function reconcileSchedules(db: Db, client: Client, taskQueue: string): Promise<{ ensured: number }> {
  const rows = await db
    .select({ partnerId: syncSchedules.partnerId, frequency: syncSchedules.frequency, dayOfWeek: syncSchedules.dayOfWeek, time: syncSchedules.time, timezone: syncSchedules.timezone, enabled: autotaskSettings.enabled })
    .from(syncSchedules)
    .leftJoin(autotaskSettings, eq(autotaskSettings.partnerId, syncSchedules.partnerId));
  for (const row of rows) {
    await ensureSchedule(client, row.partnerId, { frequency: row.frequency, dayOfWeek: row.dayOfWeek as SyncSchedule['dayOfWeek'], time: row.time, timezone: row.timezone }, !(row.enabled ?? false), taskQueue);
  }
  return { ensured: rows.length };
}

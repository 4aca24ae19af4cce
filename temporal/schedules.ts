/**
 * One Temporal Schedule per partner (`partner-sync/<partnerId>`): daily or weekly at a time in
 * the partner's timezone, overlap SKIP, an explicit catch-up window, paused while the
 * integration is disabled. reconcile.ts makes Temporal match the database at start-up.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import { calendarFor, type SyncSchedule } from '../sync/schedule-spec.ts';
import { MONTH_END_REMINDERS_ID, partnerWorkflowId, scheduleId } from '../workflows/inputs.ts';
import type { monthEndReminders } from '../workflows/month-end-reminders.ts';
import type { partnerSync } from '../workflows/partner-sync.ts';
import { PartnerIdKey, SyncTriggerKey } from '../workflows/search-attributes.ts';

/** A missed run (server down at the time) still starts if the server is back within this window. */
export const CATCHUP_WINDOW = '6 hours';

function options(partnerId: string, schedule: SyncSchedule, paused: boolean, taskQueue: string): ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof partnerSync>> {
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

/** Temporal refused the schedule's timezone (Go's tz names are case-sensitive; Intl's are not). */
export class UnknownTimezoneError extends Error {
  override name = 'UnknownTimezoneError';
  constructor(readonly timezone: string) {
    super(`Temporal does not know the timezone '${timezone}'; use its exact IANA spelling, e.g. America/Los_Angeles`);
  }
}

const asTimezoneError = (err: unknown, timezone: string): unknown => (err instanceof Error && /unknown time zone/i.test(err.message) ? new UnknownTimezoneError(timezone) : err);

/** Creates the schedule, or updates it in place when it exists. */
export async function ensureSchedule(client: Client, partnerId: string, schedule: SyncSchedule, paused: boolean, taskQueue: string): Promise<void> {
  const opts = options(partnerId, schedule, paused, taskQueue);
  try {
    await client.schedule.create(opts);
    return;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw asTimezoneError(err, schedule.timezone);
  }
  const handle = client.schedule.getHandle(opts.scheduleId);
  try {
    await handle.update((prev) => ({ ...prev, spec: opts.spec, action: opts.action, policies: opts.policies, state: { ...prev.state, paused, note: opts.state!.note! } }));
  } catch (err) {
    throw asTimezoneError(err, schedule.timezone);
  }
}

/**
 * The service's one month-end reminder schedule: daily at 12:00 UTC, when it is the same calendar
 * day in nearly every zone, so each partner is checked once per local day. The activity decides
 * per partner (its timezone, still failing) and claims each day, so a second firing sends nothing.
 */
function reminderOptions(taskQueue: string): ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof monthEndReminders>> {
  return {
    scheduleId: MONTH_END_REMINDERS_ID,
    spec: { calendars: [{ hour: 12, minute: 0, comment: 'daily month-end reminder check' }], timezone: 'UTC' },
    action: {
      type: 'startWorkflow',
      workflowType: 'monthEndReminders',
      taskQueue,
      workflowId: MONTH_END_REMINDERS_ID,
      args: [],
      staticSummary: 'Month-end reminders for partners still failing',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW, pauseOnFailure: false },
  };
}

/** Creates the reminder schedule, or updates it in place when it exists (keeping a manual pause). */
export async function ensureReminderSchedule(client: Client, taskQueue: string): Promise<void> {
  const opts = reminderOptions(taskQueue);
  try {
    await client.schedule.create(opts);
    return;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(opts.scheduleId).update((prev) => ({ ...prev, spec: opts.spec, action: opts.action, policies: opts.policies }));
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

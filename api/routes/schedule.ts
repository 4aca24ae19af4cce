/** The sync schedule: daily or weekly at a time of day in an IANA timezone, kept as a Temporal Schedule. */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { findScheduleWithSwitch, upsertSchedule, type SyncScheduleRow } from '../../db/repositories/sync-schedules.ts';
import { daysOfWeek, upcomingDstProblem, type SyncSchedule } from '../../sync/schedule-spec.ts';
import { scheduleTimes } from '../../sync/schedule-times.ts';
import { UnknownTimezoneError } from '../../temporal/schedules.ts';
import { badRequest, errorBodySchema, notSavedYet, unprocessable } from '../errors.ts';
import { requirePartner } from '../plugins/auth.ts';
import { ianaTimezone, partnerParams } from '../schemas.ts';
import type { PartnerAutotask } from '../services/partner-autotask.ts';

export interface ScheduleRouteDeps {
  db: Db;
  autotask: PartnerAutotask;
  ensureSchedule: (partnerId: string, schedule: SyncSchedule, paused: boolean) => Promise<void>;
  now: () => Date;
}

const scheduleBody = z
  .object({
    frequency: z.enum(['daily', 'weekly']),
    dayOfWeek: z.enum(daysOfWeek).optional(),
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)'),
    timezone: ianaTimezone,
  })
  .strict()
  .refine((s) => s.frequency === 'daily' || s.dayOfWeek, { message: 'a weekly schedule needs dayOfWeek', path: ['dayOfWeek'] });

const scheduleView = z
  .object({
    schedule: z.object({ frequency: z.enum(['daily', 'weekly']), dayOfWeek: z.enum(daysOfWeek).nullable(), time: z.string(), timezone: z.string(), updatedAt: z.date() }).nullable(),
    paused: z.boolean().nullable().describe('paused while the integration is disabled; null: no schedule yet'),
    nextRuns: z.array(z.date()),
    note: z.string().nullable(),
  })
  .meta({ id: 'SyncSchedule' });
export type ScheduleView = z.output<typeof scheduleView>;

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema, 422: errorBodySchema };

const scheduleRoutes: FastifyPluginAsyncZod<ScheduleRouteDeps> = async (app, deps) => {
  const { db } = deps;
  /**
   * Served from what is stored, without asking Temporal (a describe made most of the read's time):
   * the Temporal Schedule is written from the same row (PUT writes Temporal first, the API's
   * start reconciles every schedule with the database), it is paused exactly while the
   * integration is disabled, and its next runs follow from the spec (sync/schedule-spec.ts,
   * checked against Temporal's own in test/integration/schedules.test.ts), reused until the first
   * of them passes (sync/schedule-times.ts).
   */
  function view(row: SyncScheduleRow | null, enabled: boolean) {
    const schedule = row ? { frequency: row.frequency, dayOfWeek: (row.dayOfWeek as (typeof daysOfWeek)[number] | null) ?? null, time: row.time, timezone: row.timezone, updatedAt: row.updatedAt } : null;
    if (!schedule) return { schedule, paused: null, nextRuns: [], note: null };
    const times = scheduleTimes(schedule, deps.now());
    return { schedule, paused: !enabled, nextRuns: enabled ? times.nextRuns : [], note: times.note };
  }

  app.get('/v1/partners/:pid/schedule', {
    schema: { tags: ['schedule'], summary: 'The sync schedule and its next run times', params: partnerParams, response: { 200: scheduleView, ...errors } },
  }, async (request) => {
    await requirePartner(db, request, request.params.pid);
    // The switch and the schedule in one read: the portal asks for this on every page.
    const found = await findScheduleWithSwitch(db, request.params.pid);
    if (!found) throw notSavedYet();
    return view(found.schedule, found.enabled);
  });

  app.put('/v1/partners/:pid/schedule', {
    schema: {
      tags: ['schedule'],
      summary: 'Set the sync schedule (creates or updates the Temporal schedule)',
      description: 'Times that do not exist on daylight-saving days in the chosen timezone are refused (422): Temporal would silently skip that run. The timezone is stored in its IANA spelling ("europe/berlin" becomes "Europe/Berlin"); an alias Temporal does not know is 400.',
      params: partnerParams,
      body: scheduleBody,
      response: { 200: scheduleView, ...errors },
    },
  }, async (request) => {
    const { pid } = request.params;
    await requirePartner(db, request, pid);
    const settings = await deps.autotask.settingsOrConflict(pid);
    const body = request.body;
    const schedule: SyncSchedule = { frequency: body.frequency, dayOfWeek: body.frequency === 'weekly' ? body.dayOfWeek! : null, time: body.time, timezone: body.timezone };
    // The next transition that meets the schedule, not one already past this year.
    const problem = upcomingDstProblem(schedule, deps.now());
    if (problem) throw unprocessable('time_skipped_by_dst', problem);
    try {
      await deps.ensureSchedule(pid, schedule, !settings.enabled);
    } catch (err) {
      if (err instanceof UnknownTimezoneError) throw badRequest(err.message, [{ in: 'body', path: 'timezone', message: 'unknown to Temporal' }]);
      throw err;
    }
    const row = await upsertSchedule(db, pid, { frequency: schedule.frequency, dayOfWeek: schedule.dayOfWeek ?? null, time: schedule.time, timezone: schedule.timezone });
    return view(row, settings.enabled);
  });
};

export default scheduleRoutes;

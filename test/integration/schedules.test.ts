/**
 * One Temporal Schedule per partner on the real dev server: created and updated in place from
 * the API, paused with the integration, reconciled with the database, deleted with the partner.
 */
import { eq } from 'drizzle-orm';
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSchedules } from '../../db/schema.ts';
import { reconcileSchedules } from '../../temporal/reconcile.ts';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner } from '../support/partner-setup.ts';
import { nextRunTimes } from '../../sync/schedule-spec.ts';

describe('partner schedules', () => {
  let stack: Stack;
  const call = (method: 'GET' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) => stack.app.inject({ method, url, headers: bearer(stack.adminKey), ...(payload ? { payload } : {}) });
  const describeSchedule = () => stack.client.schedule.getHandle(`partner-sync/${stack.partnerId}`).describe();

  beforeAll(async () => {
    stack = await startStack('pglite', { demo: { companies: 12 } });
    await setUpPartner(stack);
  });
  afterAll(async () => stack?.close());

  it('creates a weekly schedule in the partner\'s timezone with overlap SKIP and a catch-up window', async () => {
    const res = await call('PUT', `/v1/partners/${stack.partnerId}/schedule`, { frequency: 'weekly', dayOfWeek: 'MONDAY', time: '06:15', timezone: 'America/New_York' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ schedule: { frequency: 'weekly', dayOfWeek: 'MONDAY', time: '06:15', timezone: 'America/New_York' }, paused: false });
    const next = res.json().nextRuns.map((d: string) => new Date(d));
    expect(next.length).toBeGreaterThan(0);
    for (const d of next) {
      const local = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
      expect(local).toBe('Monday 06:15');
    }
    const d = await describeSchedule();
    // The API computes the next runs itself (no describe per read): they must be Temporal's.
    expect(nextRunTimes({ frequency: 'weekly', dayOfWeek: 'MONDAY', time: '06:15', timezone: 'America/New_York' }, new Date(), 5)).toEqual(d.info.nextActionTimes.slice(0, 5));
    expect(d.spec.timezone).toBe('America/New_York');
    expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(d.policies.catchupWindow).toBe(6 * 3_600_000);
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'partnerSync', taskQueue: stack.taskQueue, args: [{ partnerId: stack.partnerId, trigger: 'schedule' }] });
  });

  it('updates it in place', async () => {
    const res = await call('PUT', `/v1/partners/${stack.partnerId}/schedule`, { frequency: 'daily', time: '21:30', timezone: 'Europe/Berlin' });
    expect(res.statusCode).toBe(200);
    const d = await describeSchedule();
    expect(d.spec.timezone).toBe('Europe/Berlin');
    expect(d.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 21, end: 21, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
  });

  it('pauses with the integration and resumes with it', async () => {
    expect((await call('PATCH', `/v1/partners/${stack.partnerId}/autotask`, { enabled: false })).statusCode).toBe(200);
    expect((await describeSchedule()).state.paused).toBe(true);
    expect((await call('GET', `/v1/partners/${stack.partnerId}/schedule`)).json().paused).toBe(true);
    expect((await call('PATCH', `/v1/partners/${stack.partnerId}/autotask`, { enabled: true })).statusCode).toBe(200);
    expect((await describeSchedule()).state.paused).toBe(false);
  });

  it('refuses a time that daylight saving skips, and validates the rest', async () => {
    const skipped = await call('PUT', `/v1/partners/${stack.partnerId}/schedule`, { frequency: 'daily', time: '02:30', timezone: 'America/New_York' });
    expect(skipped.statusCode).toBe(422);
    expect(skipped.json().error).toMatchObject({ code: 'time_skipped_by_dst', message: expect.stringContaining('clocks jump from 02:00 to 03:00') });
    expect((await call('PUT', `/v1/partners/${stack.partnerId}/schedule`, { frequency: 'weekly', time: '06:00', timezone: 'UTC' })).statusCode).toBe(400);
    expect((await call('PUT', `/v1/partners/${stack.partnerId}/schedule`, { frequency: 'daily', time: '6am', timezone: 'UTC' })).statusCode).toBe(400);
    expect((await call('PUT', `/v1/partners/${stack.partnerId}/schedule`, { frequency: 'daily', time: '06:00', timezone: 'Mars/Olympus' })).statusCode).toBe(400);
    const twice = await call('PUT', `/v1/partners/${stack.partnerId}/schedule`, { frequency: 'daily', time: '01:30', timezone: 'America/New_York' });
    expect(twice.statusCode).toBe(200);
    expect(twice.json().note).toMatch(/occurs twice/);
    // New York changes its clocks on Sundays: a weekly Monday run at that time always happens, once.
    const monday = await call('PUT', `/v1/partners/${stack.partnerId}/schedule`, { frequency: 'weekly', dayOfWeek: 'MONDAY', time: '02:30', timezone: 'America/New_York' });
    expect(monday.statusCode, monday.body).toBe(200);
    expect((await call('PUT', `/v1/partners/${stack.partnerId}/schedule`, { frequency: 'weekly', dayOfWeek: 'MONDAY', time: '01:30', timezone: 'America/New_York' })).json().note).toBeNull();
  });

  it('recreates a lost schedule and corrects a stale one from the database', async () => {
    await stack.client.schedule.getHandle(`partner-sync/${stack.partnerId}`).delete();
    await expect(describeSchedule()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    await reconcileSchedules(stack.db.db, stack.client, stack.taskQueue);
    expect((await describeSchedule()).spec.timezone).toBe('America/New_York');

    await stack.db.db.update(syncSchedules).set({ time: '05:45', timezone: 'Asia/Tokyo' }).where(eq(syncSchedules.partnerId, stack.partnerId));
    await reconcileSchedules(stack.db.db, stack.client, stack.taskQueue);
    const d = await describeSchedule();
    expect(d.spec.timezone).toBe('Asia/Tokyo');
    expect(d.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 5, end: 5, step: 1 }], minute: [{ start: 45, end: 45, step: 1 }] });
  });

  it('starts a real partnerSync when the schedule fires', async () => {
    await stack.client.schedule.getHandle(`partner-sync/${stack.partnerId}`).trigger(ScheduleOverlapPolicy.SKIP);
    let run: { trigger: string; status: string; workflowId: string } | undefined;
    for (let i = 0; i < 200 && !(run && run.status !== 'running'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = (await call('GET', `/v1/partners/${stack.partnerId}/sync-runs?limit=1`)).json().items[0];
    }
    expect(run).toMatchObject({ trigger: 'schedule', status: 'ok', workflowId: expect.stringMatching(new RegExp(`^partner-sync/${stack.partnerId}/scheduled-`)) });
  });

  it('is deleted with the partner', async () => {
    expect((await call('DELETE', `/v1/partners/${stack.partnerId}`)).statusCode).toBe(204);
    await expect(describeSchedule()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});

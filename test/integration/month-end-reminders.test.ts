/**
 * The daily month-end reminder end to end: a real SMTP server and a real HTTP listener receive
 * what the sendMonthEndReminders activity sends for a partner still failing (its last run ended
 * `warning`, 2 companies in error). Inside the last 3 days of the month (the partner's zone,
 * America/New_York) it is told once that day, however often the activity runs; outside, or once
 * recovered, nothing is sent. The schedule is ensured with the others and starts the workflow.
 */
import { createHmac } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReminderActivities } from '../../activities/reminders.ts';
import { reconcileSchedules } from '../../temporal/reconcile.ts';
import { MONTH_END_REMINDERS_ID } from '../../workflows/inputs.ts';
import { bearer, type Stack } from '../support/stack.ts';
import { syncNow } from '../support/partner-setup.ts';
import { startAlertSinks, startStackAlertingTo, type AlertSinks } from '../support/alert-sinks.ts';

describe('month-end reminders: once per partner per day while failing', () => {
  let stack: Stack;
  let sinks: AlertSinks;
  let secret: string;
  const admin = () => bearer(stack.adminKey);

  /** Runs the activity as Temporal would, with the clock at `at`. */
  const remindAt = (at: string) => new MockActivityEnvironment().run(createReminderActivities({ ...stack.deps, now: () => new Date(at) }).sendMonthEndReminders);
  const counts = (): [number, number] => [sinks.mails.length, sinks.hooks.length];

  beforeAll(async () => {
    sinks = await startAlertSinks();
    stack = await startStackAlertingTo(sinks);
    const res = await stack.app.inject({
      method: 'PUT', url: `/v1/partners/${stack.partnerId}/notifications`, headers: admin(),
      payload: { emails: ['billing@msp.example'], webhookUrl: sinks.webhookUrl, on: ['error', 'warning'] },
    });
    expect(res.statusCode, res.body).toBe(200);
    secret = res.json().webhookSecret;
    const { run } = await syncNow(stack, stack.partnerId);
    expect(run.status).toBe('warning');
  });
  afterAll(async () => {
    await stack?.close();
    await sinks?.close();
  });

  it('sends nothing before the last 3 days of the month in the partner zone', async () => {
    const before = counts();
    // 27 Nov in New York: 4 days left.
    expect(await remindAt('2026-11-27T12:00:00Z')).toEqual({ checked: 1, reminded: 0 });
    // 28 Nov 03:00 UTC is still 27 Nov in New York.
    expect(await remindAt('2026-11-28T03:00:00Z')).toEqual({ checked: 1, reminded: 0 });
    expect(counts()).toEqual(before);
  });

  it('inside the window sends one e-mail and one signed webhook, with counts and no secrets', async () => {
    const [mails, hooks] = counts();
    expect(await remindAt('2026-11-28T12:00:00Z')).toEqual({ checked: 1, reminded: 1 });
    expect(sinks.mails.length - mails).toBe(1);
    expect(sinks.hooks.length - hooks).toBe(1);
    const mail = sinks.mails.at(-1)!;
    expect(mail.to).toEqual(['billing@msp.example']);
    expect(mail.raw).toMatch(/Subject: Reminder: Autotask sync still failing, 3 days left/);
    const hook = sinks.hooks.at(-1)!;
    expect(hook.headers['x-pb-signature']).toBe(`sha256=${createHmac('sha256', secret).update(hook.raw).digest('hex')}`);
    expect(JSON.parse(hook.raw)).toEqual({
      event: 'reminder', partnerId: stack.partnerId, day: '2026-11-28', status: 'warning', companiesFailing: 2,
      summary: 'Reminder: 3 days left before the month ends and invoices go out. The last sync ended warning; 2 companies still failing.',
      portalUrl: 'https://portal.example/autotask', reminder: true,
    });
    for (const text of [mail.raw, hook.raw]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(stack.sims.demo.credentials.secret);
    }
  });

  it('the same day again (a retry, a second firing) sends nothing; the next day sends again', async () => {
    const before = counts();
    expect(await remindAt('2026-11-28T12:00:00Z')).toEqual({ checked: 1, reminded: 0 });
    expect(await remindAt('2026-11-29T04:30:00Z')).toEqual({ checked: 1, reminded: 0 }); // still 28 Nov in New York
    expect(counts()).toEqual(before);
    expect(await remindAt('2026-11-29T12:00:00Z')).toEqual({ checked: 1, reminded: 1 });
    expect(counts()).toEqual([before[0] + 1, before[1] + 1]);
  });

  it('a webhook that fails is sent on the retry, without a second e-mail', async () => {
    sinks.failNextHooks(1, 503);
    const [mails, hooks] = counts();
    await expect(remindAt('2026-11-30T12:00:00Z')).rejects.toThrow(/webhook/);
    expect(await remindAt('2026-11-30T12:00:00Z')).toEqual({ checked: 1, reminded: 1 });
    expect(sinks.mails.length - mails).toBe(1);
    expect(sinks.hooks.length - hooks).toBe(2);
    expect(JSON.parse(sinks.hooks.at(-1)!.raw)).toMatchObject({ event: 'reminder', day: '2026-11-30' });
  });

  it('the schedule is ensured with the others and starts monthEndReminders', async () => {
    await reconcileSchedules(stack.db.db, stack.client, stack.taskQueue);
    await reconcileSchedules(stack.db.db, stack.client, stack.taskQueue);
    const handle = stack.client.schedule.getHandle(MONTH_END_REMINDERS_ID);
    const d = await handle.describe();
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'monthEndReminders' });
    await handle.trigger(ScheduleOverlapPolicy.SKIP);
    let workflowId: string | undefined;
    for (let i = 0; i < 100 && !workflowId; i++) {
      await new Promise((r) => setTimeout(r, 100));
      workflowId = (await handle.describe()).info.recentActions.at(-1)?.action.workflow.workflowId;
    }
    // The stack's clock is 27 Nov 12:00 UTC: outside the window, so the run checks and sends nothing.
    expect(await stack.client.workflow.getHandle(workflowId!).result()).toEqual({ checked: 1, reminded: 0 });
  });

  it('a recovered partner gets nothing, even inside the window', async () => {
    const { endedContract, otherTypeOnly } = stack.sims.demo.notable;
    for (const id of [endedContract, otherTypeOnly]) {
      const res = await stack.app.inject({ method: 'DELETE', url: `/v1/partners/${stack.partnerId}/company-mappings/${id}`, headers: admin() });
      expect(res.statusCode, res.body).toBe(200);
    }
    const { run } = await syncNow(stack, stack.partnerId);
    expect(run.status).toBe('ok');
    const before = counts();
    expect(await remindAt('2026-12-31T12:00:00Z')).toEqual({ checked: 1, reminded: 0 });
    expect(counts()).toEqual(before);
  });

  it('a partner whose integration is disabled is not checked', async () => {
    const creds = stack.sims.demo.credentials;
    const res = await stack.app.inject({ method: 'PUT', url: `/v1/partners/${stack.partnerId}/autotask`, headers: admin(), payload: { username: creds.username, secret: creds.secret, enabled: false } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await remindAt('2026-12-31T12:00:00Z')).toEqual({ checked: 0, reminded: 0 });
  });
});

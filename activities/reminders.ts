/**
 * The month-end reminder (docs/design.md rule 14), started once a day by the
 * `month-end-reminders` schedule: every enabled partner still failing within the last 3 days of
 * its month (in its own timezone) is told once that day, on the channels it set for failure
 * alerts (`error` or `warning`). Each channel is claimed in reminder_deliveries before sending,
 * so a retried activity or a second firing the same day sends nothing more; a send that fails
 * gives its claim back and the activity fails retryably, so Temporal tries again.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { findNotificationSettings } from '../db/repositories/notifications.ts';
import { claimReminder, listReminderCandidates, releaseReminder, type ReminderCandidate, type ReminderChannel } from '../db/repositories/reminders.ts';
import { sendMail } from '../integrations/notify/mailer.ts';
import { NotificationError } from '../integrations/notify/notification-error.ts';
import { postWebhook } from '../integrations/notify/webhook.ts';
import { daysLeftInMonth } from '../sync/notifications.ts';
import { composeReminder, isStillFailing, isWithinMonthEnd, localDate } from '../sync/reminders.ts';
import type { Deps } from '../deps/deps.ts';
import { alertsSent } from '../deps/metrics.ts';

export interface MonthEndRemindersResult {
  /** Partners checked (integration enabled). */
  checked: number;
  /** Partners told on at least one channel by this call. */
  reminded: number;
}

export function createReminderActivities(deps: Deps) {
  const { db } = deps;

  async function send(p: ReminderCandidate, day: string, channel: ReminderChannel, deliver: () => Promise<unknown>): Promise<boolean> {
    if (!(await claimReminder(db, p.partnerId, day, channel))) return false;
    try {
      await deliver();
      alertsSent.inc({ channel, outcome: 'sent' });
      return true;
    } catch (err) {
      alertsSent.inc({ channel, outcome: 'failed' });
      await releaseReminder(db, p.partnerId, day, channel);
      throw err instanceof NotificationError ? err : new NotificationError(channel, true, (err as Error).message);
    }
  }

  async function remindPartner(p: ReminderCandidate, now: Date): Promise<boolean> {
    if (!isWithinMonthEnd(now, p.timezone) || !isStillFailing(p)) return false;
    const settings = await findNotificationSettings(db, p.partnerId);
    if (!settings || !settings.events.some((e) => e === 'error' || e === 'warning')) return false;
    const day = localDate(now, p.timezone);
    const message = composeReminder({ ...p, daysLeft: daysLeftInMonth(now, p.timezone) });
    const portalUrl = deps.notify?.portalUrl ?? null;
    let told = false;
    if (settings.emails.length > 0 && deps.notify?.smtpUrl) {
      const smtpUrl = deps.notify.smtpUrl;
      const text = `${message.summary}\n\n${portalUrl ? `Open the integration: ${portalUrl}\n` : ''}`;
      told = (await send(p, day, 'email', () => sendMail({ smtpUrl, from: deps.notify!.from, to: settings.emails, subject: message.subject, text }))) || told;
    } else if (settings.emails.length > 0) {
      log.warn('month-end reminder e-mail not sent: SMTP_URL is not set', { partnerId: p.partnerId });
    }
    if (settings.webhookUrl && settings.webhookSecretCiphertext) {
      const { webhookUrl, webhookSecretCiphertext } = settings;
      told = (await send(p, day, 'webhook', () => postWebhook({
        url: webhookUrl,
        secret: deps.secretBox.open(webhookSecretCiphertext, p.partnerId, 'webhook-secret'),
        body: { event: 'reminder', partnerId: p.partnerId, day, status: p.lastRunStatus, companiesFailing: p.companiesFailing, summary: message.summary, portalUrl, reminder: true },
        allowPrivate: deps.notify?.allowPrivateWebhooks ?? false,
      }))) || told;
    }
    return told;
  }

  return {
    async sendMonthEndReminders(): Promise<MonthEndRemindersResult> {
      const now = deps.now();
      const candidates = await listReminderCandidates(db);
      const failures: NotificationError[] = [];
      let reminded = 0;
      // One partner's broken mail server or webhook must not keep the others from being told.
      for (const p of candidates) {
        try {
          if (await remindPartner(p, now)) reminded += 1;
        } catch (err) {
          // Anything but a channel's failure (the database) fails the activity for Temporal to retry.
          if (!(err instanceof NotificationError)) throw err;
          log.warn('month-end reminder not delivered', { partnerId: p.partnerId, channel: err.channel, failure: err.message });
          failures.push(err);
        }
      }
      if (failures.length > 0) {
        const text = `${failures.length} reminder(s) not delivered: ${failures.map((f) => `${f.channel}: ${f.message}`).join('; ')}`;
        if (failures.some((f) => f.retryable)) throw ApplicationFailure.retryable(text, 'NotificationUnavailable');
        throw ApplicationFailure.nonRetryable(text, 'NotificationRefused');
      }
      log.info('month-end reminders checked', { checked: candidates.length, reminded });
      return { checked: candidates.length, reminded };
    },
  };
}

/**
 * Tells a partner's channels how a run ended (docs/design.md rule 14): once per run, on `error`,
 * `warning`, `held` and on recovery. Called by partnerSync as its last step, as a regular activity,
 * so Temporal retries a mail server or webhook that is down and the run's history shows the
 * attempt. A channel already told about the run (notification_deliveries) is skipped on retry.
 *
 * The month-end reminder is decided here too: a failing run that ends within the last 3 days of
 * the month (in the partner's timezone) says so in its message. It rides on the run's own alert
 * rather than a separate timer, so it needs no extra schedule and is never sent twice for a run.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { findPartner } from '../db/repositories/partners.ts';
import { deliveredChannels, findNotificationSettings, previousRunStatus, recordDelivery } from '../db/repositories/notifications.ts';
import { sendMail } from '../integrations/notify/mailer.ts';
import { NotificationError } from '../integrations/notify/notification-error.ts';
import { postWebhook } from '../integrations/notify/webhook.ts';
import { composeMessage, daysLeftInMonth, eventForRun, isReminderDue, type NotificationEvent } from '../sync/notifications.ts';
import type { Deps } from '../deps/deps.ts';
import { alertsSent } from '../deps/metrics.ts';

type ChannelOutcome = 'sent' | 'already_sent' | 'not_set' | 'smtp_not_configured' | 'failed';

export interface NotifyResult {
  event: NotificationEvent | null;
  /** Why nothing was sent, when nothing was. */
  reason?: 'no_event' | 'dry_run' | 'not_subscribed';
  email?: ChannelOutcome;
  webhook?: ChannelOutcome;
  reminder?: boolean;
}

export function createNotifyActivities(deps: Deps) {
  const { db } = deps;
  return {
    async notifyRunOutcome(input: { partnerId: string; runId: string }): Promise<NotifyResult> {
      const run = await db.query.syncRuns.findFirst({ where: (t, { and, eq }) => and(eq(t.id, input.runId), eq(t.partnerId, input.partnerId)) });
      if (!run) throw ApplicationFailure.nonRetryable(`run ${input.runId} is not recorded`, 'RunNotFound');
      if (run.dryRun) return { event: null, reason: 'dry_run' };
      const event = eventForRun(run.status, await previousRunStatus(db, input.partnerId, run.id, run.startedAt));
      if (!event) return { event: null, reason: 'no_event' };
      const settings = await findNotificationSettings(db, input.partnerId);
      if (!settings || !settings.events.includes(event)) return { event, reason: 'not_subscribed' };
      const partner = await findPartner(db, input.partnerId);
      if (!partner) throw ApplicationFailure.nonRetryable(`partner '${input.partnerId}' does not exist`, 'PartnerNotFound');

      const now = deps.now();
      const reminder = isReminderDue(event, now, partner.timezone);
      const message = composeMessage(event, { ...run, partnerName: partner.name }, reminder ? daysLeftInMonth(now, partner.timezone) : null);
      const portalUrl = deps.notify?.portalUrl ?? null;
      const done = await deliveredChannels(db, run.id);
      const failures: NotificationError[] = [];
      const result: NotifyResult = { event, reminder, email: 'not_set', webhook: 'not_set' };

      if (settings.emails.length > 0) {
        if (done.has('email')) result.email = 'already_sent';
        else if (!deps.notify?.smtpUrl) {
          result.email = 'smtp_not_configured';
          log.warn('e-mail alert not sent: SMTP_URL is not set', { event });
        } else {
          try {
            const text = `${message.summary}\n\n${portalUrl ? `Open the integration: ${portalUrl}\n` : ''}Run ${run.id}`;
            await sendMail({ smtpUrl: deps.notify.smtpUrl, from: deps.notify.from, to: settings.emails, subject: message.subject, text });
            await recordDelivery(db, run.id, 'email', event);
            result.email = 'sent';
            alertsSent.inc({ channel: 'email', outcome: 'sent' });
          } catch (err) {
            result.email = 'failed';
            alertsSent.inc({ channel: 'email', outcome: 'failed' });
            failures.push(asNotificationError(err, 'email'));
          }
        }
      }
      if (settings.webhookUrl && settings.webhookSecretCiphertext) {
        if (done.has('webhook')) result.webhook = 'already_sent';
        else {
          try {
            const secret = deps.secretBox.open(settings.webhookSecretCiphertext, input.partnerId, 'webhook-secret');
            await postWebhook({
              url: settings.webhookUrl,
              secret,
              body: { event, partnerId: input.partnerId, runId: run.id, status: run.status, summary: message.summary, portalUrl, reminder },
              allowPrivate: deps.notify?.allowPrivateWebhooks ?? false,
            });
            await recordDelivery(db, run.id, 'webhook', event);
            result.webhook = 'sent';
            alertsSent.inc({ channel: 'webhook', outcome: 'sent' });
          } catch (err) {
            result.webhook = 'failed';
            alertsSent.inc({ channel: 'webhook', outcome: 'failed' });
            failures.push(asNotificationError(err, 'webhook'));
          }
        }
      }
      if (failures.length > 0) {
        const text = failures.map((f) => `${f.channel}: ${f.message}`).join('; ');
        log.warn('alert not delivered', { event, failures: text });
        if (failures.some((f) => f.retryable)) throw ApplicationFailure.retryable(text, 'NotificationUnavailable');
        throw ApplicationFailure.nonRetryable(text, 'NotificationRefused');
      }
      log.info('alert sent', { event, email: result.email, webhook: result.webhook, reminder });
      return result;
    },
  };
}

function asNotificationError(err: unknown, channel: 'email' | 'webhook'): NotificationError {
  if (err instanceof NotificationError) return err;
  // Anything else (the signing secret no longer opens, the database) is worth a retry.
  return new NotificationError(channel, true, (err as Error).message);
}

/**
 * Which runs are told to a partner's channels, and what the message says (docs/design.md rule 14).
 * Pure: the notify activity reads the run and the partner's previous run, asks here, and sends.
 */
import { z } from 'zod';

/** What a partner may subscribe to. `recovered`: the first `ok` run after one that was not. */
export const notificationEvents = ['error', 'warning', 'held', 'recovered'] as const;
export type NotificationEvent = (typeof notificationEvents)[number];

/** The settings a partner saves; the API and the activity parse them with this. */
export const notificationSettingsSchema = z.object({
  emails: z.array(z.email().max(254)).max(20),
  // No user:password@ in it: the URL is shown back by GET and stored as is, so a credential in
  // it would leak; the receiver authenticates us by the signature instead.
  webhookUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    // zod runs this even when .url() has already failed, so an unparsable string must not throw.
    .refine((url) => { if (!URL.canParse(url)) return true; const u = new URL(url); return u.username === '' && u.password === ''; }, 'a webhook URL may not carry a user name or password; check the X-PB-Signature header instead')
    .nullable(),
  on: z.array(z.enum(notificationEvents)).max(notificationEvents.length),
});
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

/** Run statuses that are a problem to tell; `failed` (no recorded outcome) is never sent by the run itself. */
const troubled = new Set(['error', 'warning', 'held', 'failed']);

/**
 * The event a finished run raises, or null. `previousStatus` is the status of the partner's last
 * real run that finished before this one (skipped and dry runs do not count), null if none.
 */
export function eventForRun(status: string, previousStatus: string | null): NotificationEvent | null {
  if (status === 'error' || status === 'warning' || status === 'held') return status;
  if (status === 'ok' && previousStatus !== null && troubled.has(previousStatus)) return 'recovered';
  return null;
}

/** Days left in the month of `now` in `timezone`, counting today: 1 on the last day. */
export function daysLeftInMonth(now: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const year = get('year');
  const month = get('month');
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return lastDay - get('day') + 1;
}

/** Invoices for the month go out from its last days: a failing partner is reminded within 3 days of the end. */
export const REMINDER_DAYS = 3;

export function isReminderDue(event: NotificationEvent, now: Date, timezone: string): boolean {
  return event !== 'recovered' && daysLeftInMonth(now, timezone) <= REMINDER_DAYS;
}

export interface RunFacts {
  partnerName: string;
  status: string;
  total: number;
  done: number;
  failed: number;
  unitsChanged: number;
  billingMonth: string | null;
  detail: string | null;
}

export interface NotificationMessage {
  subject: string;
  /** One paragraph, no secrets: the run's counters and its detail line. */
  summary: string;
}

const headline: Record<NotificationEvent, string> = {
  error: 'Autotask sync failed',
  warning: 'Autotask sync finished with errors',
  held: 'Autotask sync is waiting for approval',
  recovered: 'Autotask sync is working again',
};

/** The text both channels carry; `daysLeft` set when the month-end reminder applies. */
export function composeMessage(event: NotificationEvent, run: RunFacts, daysLeft: number | null): NotificationMessage {
  const counts = `${run.done} of ${run.total} companies synced, ${run.failed} failed, ${run.unitsChanged} units changed`;
  const month = run.billingMonth ? ` for ${run.billingMonth}` : '';
  const reminder = daysLeft !== null ? `Reminder: ${daysLeft} day${daysLeft === 1 ? '' : 's'} left before the month ends and invoices go out, and this sync is still failing. ` : '';
  const detail = run.detail ? ` ${run.detail}` : '';
  return {
    subject: `${daysLeft !== null ? 'Reminder: ' : ''}${headline[event]}: ${run.partnerName}`,
    summary: `${reminder}Run ${run.status}${month}: ${counts}.${detail}`.slice(0, 2000),
  };
}

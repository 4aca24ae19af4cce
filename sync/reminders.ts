/**
 * The month-end reminder (docs/design.md rule 14): invoices go out from a month's last days, so a
 * partner still failing then is reminded once a day. Pure: the reminder activity reads each
 * partner's last run and company statuses, asks here, and sends.
 */
import { daysLeftInMonth, REMINDER_DAYS } from './notifications.ts';

/** The calendar date of `now` in `timezone`, `YYYY-MM-DD`: the key of "once per partner per day". */
export function localDate(now: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** True when `now`, in `timezone`, is one of the last REMINDER_DAYS days of its month. */
export function isWithinMonthEnd(now: Date, timezone: string): boolean {
  return daysLeftInMonth(now, timezone) <= REMINDER_DAYS;
}

export interface PartnerHealth {
  /** Status of the partner's newest finished, real (non-dry) run; null with none. */
  lastRunStatus: string | null;
  /** Companies whose own status is still `error` or `warning`. */
  companiesFailing: number;
}

/** Run outcomes that mean the partner's billing is not right yet. `held` waits for a person, not a fix. */
const failingRuns = new Set(['error', 'warning', 'failed']);

/** Still failing: the last real run did not succeed, or a company still shows an error. */
export function isStillFailing(h: PartnerHealth): boolean {
  return (h.lastRunStatus !== null && failingRuns.has(h.lastRunStatus)) || h.companiesFailing > 0;
}

export interface ReminderFacts extends PartnerHealth {
  partnerName: string;
  daysLeft: number;
}

/** The reminder's text for both channels: this partner's counts only, no secrets. */
export function composeReminder(f: ReminderFacts): { subject: string; summary: string } {
  const days = `${f.daysLeft} day${f.daysLeft === 1 ? '' : 's'}`;
  const run = f.lastRunStatus ? `The last sync ended ${f.lastRunStatus}` : 'No sync has finished yet';
  const companies = `${f.companiesFailing} compan${f.companiesFailing === 1 ? 'y' : 'ies'} still failing`;
  return {
    subject: `Reminder: Autotask sync still failing, ${days} left in the month: ${f.partnerName}`,
    summary: `Reminder: ${days} left before the month ends and invoices go out. ${run}; ${companies}.`,
  };
}

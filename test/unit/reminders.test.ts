import { describe, expect, it } from 'vitest';
import { composeReminder, isStillFailing, isWithinMonthEnd, localDate } from '../../sync/reminders.ts';

describe('month-end window', () => {
  it('is the last 3 days of the month in the partner zone', () => {
    expect(isWithinMonthEnd(new Date('2026-11-28T12:00:00Z'), 'UTC')).toBe(true);
    expect(isWithinMonthEnd(new Date('2026-11-30T23:59:00Z'), 'UTC')).toBe(true);
    expect(isWithinMonthEnd(new Date('2026-11-27T23:59:00Z'), 'UTC')).toBe(false);
    expect(isWithinMonthEnd(new Date('2026-12-01T00:00:00Z'), 'UTC')).toBe(false);
    // February of a leap year ends on the 29th.
    expect(isWithinMonthEnd(new Date('2028-02-27T12:00:00Z'), 'UTC')).toBe(true);
    expect(isWithinMonthEnd(new Date('2028-02-26T12:00:00Z'), 'UTC')).toBe(false);
  });

  it('uses the partner zone, not UTC', () => {
    // 27 Nov 23:00 UTC is already 28 Nov in Berlin and still 27 Nov in New York.
    const at = new Date('2026-11-27T23:30:00Z');
    expect(isWithinMonthEnd(at, 'Europe/Berlin')).toBe(true);
    expect(isWithinMonthEnd(at, 'America/New_York')).toBe(false);
    // 1 Dec 02:00 UTC is still 30 Nov in Los Angeles.
    expect(isWithinMonthEnd(new Date('2026-12-01T02:00:00Z'), 'America/Los_Angeles')).toBe(true);
  });

  it('keys a day by the local date', () => {
    expect(localDate(new Date('2026-11-27T23:30:00Z'), 'Europe/Berlin')).toBe('2026-11-28');
    expect(localDate(new Date('2026-11-27T23:30:00Z'), 'America/New_York')).toBe('2026-11-27');
  });
});

describe('still failing', () => {
  it('a last run that ended error, warning or failed', () => {
    for (const s of ['error', 'warning', 'failed']) expect(isStillFailing({ lastRunStatus: s, companiesFailing: 0 })).toBe(true);
  });
  it('companies that still show errors, whatever the last run', () => {
    expect(isStillFailing({ lastRunStatus: 'ok', companiesFailing: 2 })).toBe(true);
  });
  it('not a recovered partner, a held run or one with no run', () => {
    expect(isStillFailing({ lastRunStatus: 'ok', companiesFailing: 0 })).toBe(false);
    expect(isStillFailing({ lastRunStatus: 'held', companiesFailing: 0 })).toBe(false);
    expect(isStillFailing({ lastRunStatus: null, companiesFailing: 0 })).toBe(false);
  });
});

describe('reminder text', () => {
  it('carries the counts and the days left', () => {
    const m = composeReminder({ partnerName: 'Acme MSP', lastRunStatus: 'warning', companiesFailing: 2, daysLeft: 1 });
    expect(m.subject).toBe('Reminder: Autotask sync still failing, 1 day left in the month: Acme MSP');
    expect(m.summary).toBe('Reminder: 1 day left before the month ends and invoices go out. The last sync ended warning; 2 companies still failing.');
  });
});

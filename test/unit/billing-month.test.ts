import { describe, expect, it } from 'vitest';
import { addMonths, effectiveDateFor, expectedFinalMonth, lastDayOf, monthInZone, parseMonth } from '../../sync/billing-month.ts';

describe('effective date: the first day of the month after the billing month', () => {
  it.each([
    ['2026-10', '2026-11-01'],
    ['2026-12', '2027-01-01'],
    ['2024-01', '2024-02-01'],
    ['2024-02', '2024-03-01'],
    ['1999-12', '2000-01-01'],
    ['2026-09', '2026-10-01'],
  ])('%s → %s', (month, expected) => expect(effectiveDateFor(month)).toBe(expected));
});

describe('month arithmetic', () => {
  it.each([
    ['2026-01', -1, '2025-12'],
    ['2026-12', 1, '2027-01'],
    ['2026-03', -14, '2025-01'],
    ['2026-05', 0, '2026-05'],
    ['2026-11', 25, '2028-12'],
  ])('%s %+d → %s', (month, delta, expected) => expect(addMonths(month, delta)).toBe(expected));

  it.each([
    ['2024-02', '2024-02-29'],
    ['2025-02', '2025-02-28'],
    ['2100-02', '2100-02-28'],
    ['2000-02', '2000-02-29'],
    ['2026-04', '2026-04-30'],
    ['2026-12', '2026-12-31'],
  ])('last day of %s is %s', (month, expected) => expect(lastDayOf(month)).toBe(expected));

  it('rejects what is not a month', () => {
    for (const bad of ['2026-13', '2026-00', '26-01', '2026-1', 'abc']) expect(() => parseMonth(bad)).toThrow(/not a month/);
  });
});

describe('the month that should be final, on the partner\'s wall clock', () => {
  it('is the previous month in the middle of a month', () => {
    expect(expectedFinalMonth(new Date('2026-11-27T12:00:00Z'), 'UTC')).toBe('2026-10');
  });

  it('rolls December into January', () => {
    expect(expectedFinalMonth(new Date('2027-01-01T12:00:00Z'), 'UTC')).toBe('2026-12');
    expect(expectedFinalMonth(new Date('2026-12-31T12:00:00Z'), 'UTC')).toBe('2026-11');
  });

  it('depends on the timezone at a month boundary', () => {
    const instant = new Date('2026-12-01T03:00:00Z');
    expect(monthInZone(instant, 'Pacific/Auckland')).toBe('2026-12'); // 16:00 on 1 Dec
    expect(monthInZone(instant, 'America/Los_Angeles')).toBe('2026-11'); // 19:00 on 30 Nov
    expect(expectedFinalMonth(instant, 'Pacific/Auckland')).toBe('2026-11');
    expect(expectedFinalMonth(instant, 'America/Los_Angeles')).toBe('2026-10');
    expect(expectedFinalMonth(instant, 'Pacific/Kiritimati')).toBe('2026-11'); // UTC+14
    expect(expectedFinalMonth(new Date('2026-12-01T10:30:00Z'), 'Pacific/Pago_Pago')).toBe('2026-10'); // UTC-11: still 30 Nov
  });

  it('handles the leap day and New Year\'s Eve in far-apart zones', () => {
    expect(monthInZone(new Date('2028-02-29T23:30:00Z'), 'Asia/Tokyo')).toBe('2028-03');
    expect(monthInZone(new Date('2028-02-29T23:30:00Z'), 'America/New_York')).toBe('2028-02');
    expect(monthInZone(new Date('2026-12-31T23:59:59Z'), 'Europe/Berlin')).toBe('2027-01');
    expect(monthInZone(new Date('2026-12-31T23:59:59Z'), 'America/Chicago')).toBe('2026-12');
  });
});

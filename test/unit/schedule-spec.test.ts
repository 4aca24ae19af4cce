import { describe, expect, it } from 'vitest';
import { calendarFor, dstNote, dstProblem, offsetMinutes, parseTime, transitions } from '../../sync/schedule-spec.ts';

describe('calendar spec', () => {
  it('daily at a time', () => {
    expect(calendarFor({ frequency: 'daily', time: '06:30', timezone: 'Europe/Berlin' })).toEqual({ hour: 6, minute: 30, comment: 'daily at 06:30 Europe/Berlin' });
  });
  it('weekly on a day', () => {
    expect(calendarFor({ frequency: 'weekly', dayOfWeek: 'MONDAY', time: '23:05', timezone: 'UTC' })).toMatchObject({ hour: 23, minute: 5, dayOfWeek: 'MONDAY' });
  });
  it('weekly needs a day', () => {
    expect(() => calendarFor({ frequency: 'weekly', time: '01:00', timezone: 'UTC' })).toThrow(/dayOfWeek/);
  });
  it.each(['24:00', '7:00', '12:60', 'noon', ''])('rejects %j', (t) => expect(() => parseTime(t)).toThrow());
});

describe('daylight saving', () => {
  it('knows the offsets', () => {
    expect(offsetMinutes(new Date('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe(120);
    expect(offsetMinutes(new Date('2026-01-01T12:00:00Z'), 'Europe/Berlin')).toBe(60);
    expect(offsetMinutes(new Date('2026-01-01T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });

  it('finds the 2026 transitions of New York', () => {
    expect(transitions('America/New_York', 2026)).toEqual([
      { at: new Date('2026-03-08T07:00:00Z'), kind: 'gap', from: '02:00', to: '03:00' },
      { at: new Date('2026-11-01T06:00:00Z'), kind: 'overlap', from: '01:00', to: '02:00' },
    ]);
  });

  it('finds the southern-hemisphere transitions of Auckland', () => {
    const t = transitions('Pacific/Auckland', 2026);
    expect(t.map((x) => [x.kind, x.from, x.to])).toEqual([['overlap', '02:00', '03:00'], ['gap', '02:00', '03:00']]);
  });

  it('has none where there is no DST', () => {
    expect(transitions('Asia/Tokyo', 2026)).toEqual([]);
    expect(transitions('UTC', 2026)).toEqual([]);
  });

  it('refuses a time that is skipped on spring-forward day', () => {
    expect(dstProblem({ frequency: 'daily', time: '02:30', timezone: 'America/New_York' }, 2026)).toMatch(/02:30 does not exist in America\/New_York on 2026-03-08/);
    expect(dstProblem({ frequency: 'daily', time: '02:30', timezone: 'Europe/Berlin' }, 2026)).toMatch(/2026-03-29/);
    expect(dstProblem({ frequency: 'daily', time: '03:00', timezone: 'America/New_York' }, 2026)).toBeNull();
    expect(dstProblem({ frequency: 'daily', time: '02:30', timezone: 'Asia/Tokyo' }, 2026)).toBeNull();
  });

  it('notes a time that happens twice on fall-back day', () => {
    expect(dstNote({ frequency: 'daily', time: '01:30', timezone: 'America/New_York' }, 2026)).toMatch(/occurs twice .* 2026-11-01/);
    expect(dstNote({ frequency: 'daily', time: '02:30', timezone: 'America/New_York' }, 2026)).toBeNull();
  });
});

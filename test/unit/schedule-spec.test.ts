import { describe, expect, it } from 'vitest';
import { calendarFor, dstNote, dstProblem, nextRunTimes, offsetMinutes, parseTime, transitions, upcomingDstNote, upcomingDstProblem } from '../../sync/schedule-spec.ts';

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

  it('lets a weekly schedule use a time the clocks skip or repeat on another weekday only', () => {
    // London and New York change on Sundays: a Monday at that time always exists, once.
    expect(dstProblem({ frequency: 'weekly', dayOfWeek: 'MONDAY', time: '01:30', timezone: 'Europe/London' }, 2027)).toBeNull();
    expect(dstProblem({ frequency: 'weekly', dayOfWeek: 'SUNDAY', time: '01:30', timezone: 'Europe/London' }, 2027)).toMatch(/on 2027-03-28 /);
    expect(dstNote({ frequency: 'weekly', dayOfWeek: 'FRIDAY', time: '01:30', timezone: 'America/New_York' }, 2027)).toBeNull();
    expect(dstNote({ frequency: 'weekly', dayOfWeek: 'SUNDAY', time: '01:30', timezone: 'America/New_York' }, 2027)).toMatch(/on 2027-11-07;/);
  });

  it('names the coming transition, not one already past this year', () => {
    const lateNovember = new Date('2026-11-30T11:00:00Z');
    expect(upcomingDstProblem({ frequency: 'daily', time: '02:30', timezone: 'America/New_York' }, lateNovember)).toMatch(/on 2027-03-14 /);
    expect(upcomingDstNote({ frequency: 'daily', time: '01:30', timezone: 'America/New_York' }, lateNovember)).toEqual({ note: expect.stringMatching(/on 2027-11-07;/), passesAt: new Date('2027-11-07T06:00:00Z') });
    expect(upcomingDstNote({ frequency: 'daily', time: '01:30', timezone: 'America/New_York' }, new Date('2026-10-30T00:00:00Z'))?.note).toMatch(/on 2026-11-01;/);
    expect(upcomingDstProblem({ frequency: 'daily', time: '02:30', timezone: 'Asia/Tokyo' }, lateNovember)).toBeNull();
  });

  it('notes a time that happens twice on fall-back day', () => {
    expect(dstNote({ frequency: 'daily', time: '01:30', timezone: 'America/New_York' }, 2026)).toMatch(/occurs twice .* 2026-11-01/);
    expect(dstNote({ frequency: 'daily', time: '02:30', timezone: 'America/New_York' }, 2026)).toBeNull();
  });
});

/**
 * The plain hourly scan the fast one replaced: every hour of the year, each change narrowed to the
 * minute. Slow, obviously right, and the reference the fast scan must match.
 */
function hourlyScan(timeZone: string, year: number) {
  const out: Array<{ at: Date; kind: 'gap' | 'overlap'; from: string; to: string }> = [];
  const wall = (ms: number, offset: number) => new Date(ms + offset * 60_000).toISOString().slice(11, 16);
  let prev = offsetMinutes(new Date(Date.UTC(year, 0, 1)), timeZone);
  for (let t = Date.UTC(year, 0, 1) + 3_600_000; t <= Date.UTC(year + 1, 0, 1); t += 3_600_000) {
    const off = offsetMinutes(new Date(t), timeZone);
    if (off === prev) continue;
    let at = t;
    while (offsetMinutes(new Date(at - 60_000), timeZone) !== prev) at -= 60_000;
    out.push(off > prev ? { at: new Date(at), kind: 'gap', from: wall(at, prev), to: wall(at, off) } : { at: new Date(at), kind: 'overlap', from: wall(at, off), to: wall(at, prev) });
    prev = off;
  }
  return out;
}

describe('daylight saving in odd zones', () => {
  // Past years: their ICU data no longer changes, so these hold on any Node version.
  it.each([
    ['Australia/Lord_Howe', 2023],
    ['Antarctica/Troll', 2023],
    ['America/Santiago', 2023],
    ['Africa/Cairo', 2023],
    ['Asia/Amman', 2022],
    ['America/Mexico_City', 2022],
  ])('finds in %s (%i) exactly what an hourly scan finds', (zone, year) => {
    const expected = hourlyScan(zone, year);
    expect(expected.length).toBeGreaterThan(0);
    expect(transitions(zone, year)).toEqual(expected);
  });

  it('knows Lord Howe moves its clocks by 30 minutes', () => {
    expect(transitions('Australia/Lord_Howe', 2023)).toEqual([
      { at: new Date('2023-04-01T15:00:00Z'), kind: 'overlap', from: '01:30', to: '02:00' },
      { at: new Date('2023-09-30T15:30:00Z'), kind: 'gap', from: '02:00', to: '02:30' },
    ]);
    expect(dstProblem({ frequency: 'daily', time: '02:15', timezone: 'Australia/Lord_Howe' }, 2023)).toMatch(/02:15 does not exist .* on 2023-10-01 \(clocks jump from 02:00 to 02:30\)/);
    expect(dstProblem({ frequency: 'daily', time: '02:30', timezone: 'Australia/Lord_Howe' }, 2023)).toBeNull();
    expect(dstNote({ frequency: 'daily', time: '01:45', timezone: 'Australia/Lord_Howe' }, 2023)).toMatch(/occurs twice .* on 2023-04-02/);
    expect(dstNote({ frequency: 'daily', time: '02:00', timezone: 'Australia/Lord_Howe' }, 2023)).toBeNull();
  });

  it('names the local day, not the UTC one, east of Greenwich', () => {
    // Auckland springs forward at 02:00 on Sunday 24 September 2023, which is Saturday in UTC.
    expect(dstProblem({ frequency: 'daily', time: '02:30', timezone: 'Pacific/Auckland' }, 2023)).toMatch(/on 2023-09-24 /);
    expect(dstNote({ frequency: 'daily', time: '02:30', timezone: 'Pacific/Auckland' }, 2023)).toMatch(/on 2023-04-02;/);
  });

  it('handles a 2-hour shift (Troll)', () => {
    expect(dstProblem({ frequency: 'daily', time: '02:59', timezone: 'Antarctica/Troll' }, 2023)).toMatch(/jump from 01:00 to 03:00/);
    expect(dstNote({ frequency: 'weekly', dayOfWeek: 'SUNDAY', time: '01:00', timezone: 'Antarctica/Troll' }, 2023)).toMatch(/2023-10-29/);
  });

  it('handles zones that change at midnight, where the repeated hour ends at 00:00', () => {
    expect(transitions('America/Santiago', 2023).map((x) => [x.kind, x.from, x.to])).toEqual([['overlap', '23:00', '00:00'], ['gap', '00:00', '01:00']]);
    expect(dstProblem({ frequency: 'daily', time: '00:30', timezone: 'America/Santiago' }, 2023)).toMatch(/on 2023-09-03 /);
    expect(dstNote({ frequency: 'daily', time: '23:30', timezone: 'America/Santiago' }, 2023)).toMatch(/23:30 occurs twice .* on 2023-04-01;/);
    expect(dstNote({ frequency: 'daily', time: '00:30', timezone: 'America/Santiago' }, 2023)).toBeNull();
    expect(dstNote({ frequency: 'daily', time: '23:59', timezone: 'Africa/Cairo' }, 2023)).toMatch(/2023-10-26/);
  });

  it('has none in a zone without daylight saving', () => {
    expect(transitions('Asia/Kolkata', 2026)).toEqual([]);
    expect(dstProblem({ frequency: 'daily', time: '02:30', timezone: 'Asia/Kolkata' }, 2026)).toBeNull();
    expect(dstNote({ frequency: 'daily', time: '01:30', timezone: 'Asia/Kolkata' }, 2026)).toBeNull();
  });

  it('follows rule changes from one year to the next', () => {
    // Mexico abolished daylight saving after October 2022; Egypt brought it back in 2023.
    expect(transitions('America/Mexico_City', 2022).map((x) => x.kind)).toEqual(['gap', 'overlap']);
    expect(transitions('America/Mexico_City', 2023)).toEqual([]);
    expect(transitions('Africa/Cairo', 2022)).toEqual([]);
    expect(transitions('Africa/Cairo', 2023).map((x) => [x.kind, x.from, x.to])).toEqual([['gap', '00:00', '01:00'], ['overlap', '23:00', '00:00']]);
    // Jordan sprang forward in February 2022 and stayed there: one transition in that year.
    expect(transitions('Asia/Amman', 2022)).toEqual([{ at: new Date('2022-02-24T22:00:00Z'), kind: 'gap', from: '00:00', to: '01:00' }]);
  });

  it('answers the same again without sharing its answer with callers', () => {
    const first = transitions('Europe/Berlin', 2026);
    first[0]!.at.setTime(0);
    first.pop();
    expect(transitions('Europe/Berlin', 2026)).toEqual([
      { at: new Date('2026-03-29T01:00:00Z'), kind: 'gap', from: '02:00', to: '03:00' },
      { at: new Date('2026-10-25T01:00:00Z'), kind: 'overlap', from: '02:00', to: '03:00' },
    ]);
  });

  it('refuses an unknown timezone', () => {
    expect(() => transitions('Mars/Olympus_Mons', 2026)).toThrow(RangeError);
  });
});

describe('next run times, matched literally as Temporal does', () => {
  const local = (d: Date, timeZone: string) => new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);

  it('gives the next daily runs at the wall-clock time, in order, after the moment asked', () => {
    const from = new Date('2026-11-29T23:00:00Z');
    const runs = nextRunTimes({ frequency: 'daily', time: '06:15', timezone: 'Asia/Tokyo' }, from);
    // 23:00 UTC is already 08:00 the next day in Tokyo: that day's 06:15 has passed.
    expect(runs.map((d) => d.toISOString())).toEqual(['2026-11-30T21:15:00.000Z', '2026-12-01T21:15:00.000Z', '2026-12-02T21:15:00.000Z', '2026-12-03T21:15:00.000Z', '2026-12-04T21:15:00.000Z']);
  });

  it('keeps weekly runs on their weekday', () => {
    const runs = nextRunTimes({ frequency: 'weekly', dayOfWeek: 'MONDAY', time: '23:30', timezone: 'America/Los_Angeles' }, new Date('2026-11-29T12:00:00Z'), 3);
    expect(runs.map((d) => local(d, 'America/Los_Angeles'))).toEqual(['Monday 23:30', 'Monday 23:30', 'Monday 23:30']);
    expect(runs.map((d) => d.toISOString())).toEqual(['2026-12-01T07:30:00.000Z', '2026-12-08T07:30:00.000Z', '2026-12-15T07:30:00.000Z']);
  });

  it('has no run on the day the clocks skip the time, and two on the day they repeat it', () => {
    const spring = nextRunTimes({ frequency: 'daily', time: '02:30', timezone: 'America/New_York' }, new Date('2026-03-07T12:00:00Z'), 2);
    expect(spring.map((d) => d.toISOString())).toEqual(['2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
    const autumn = nextRunTimes({ frequency: 'daily', time: '01:30', timezone: 'America/New_York' }, new Date('2026-10-31T12:00:00Z'), 3);
    expect(autumn.map((d) => d.toISOString())).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });
});

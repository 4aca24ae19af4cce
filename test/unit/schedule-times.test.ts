import { describe, expect, it } from 'vitest';
import { dstNote, nextRunTimes, type SyncSchedule } from '../../sync/schedule-spec.ts';
import { scheduleTimes } from '../../sync/schedule-times.ts';

const HOUR = 3_600_000;

/** What the schedule read showed before the answers were kept: both computed afresh. */
const direct = (s: SyncSchedule, now: Date) => ({ note: dstNote(s, now.getUTCFullYear(), now) ?? dstNote(s, now.getUTCFullYear() + 1), nextRuns: nextRunTimes(s, now) });

describe('schedule times kept between reads', () => {
  const daily: SyncSchedule = { frequency: 'daily', time: '01:30', timezone: 'America/New_York' };
  const weekly: SyncSchedule = { frequency: 'weekly', dayOfWeek: 'SUNDAY', time: '01:30', timezone: 'America/New_York' };

  it.each([
    ['daily across fall-back (01:30 runs twice)', daily, '2026-10-30T00:00:00Z'],
    ['weekly across fall-back', weekly, '2026-10-28T00:00:00Z'],
    ['daily across the new year (the note names the coming fall-back day)', daily, '2026-12-30T00:00:00Z'],
  ])('answers as a fresh computation at every instant: %s', (_name, schedule, start) => {
    // Every 7 minutes over four days: reads before, between and right at the runs.
    for (let t = Date.parse(start); t < Date.parse(start) + 96 * HOUR; t += 7 * 60_000) {
      const now = new Date(t);
      expect(scheduleTimes(schedule, now), now.toISOString()).toEqual(direct(schedule, now));
    }
  });

  it('answers for an earlier instant after a later one (a clock set back)', () => {
    const later = new Date('2026-11-05T12:00:00Z');
    const earlier = new Date('2026-10-31T12:00:00Z');
    scheduleTimes(daily, later);
    expect(scheduleTimes(daily, earlier)).toEqual(direct(daily, earlier));
  });

  it('answers exactly at a run time with the runs after it', () => {
    const first = nextRunTimes(daily, new Date('2026-11-10T00:00:00Z'))[0]!;
    scheduleTimes(daily, new Date(first.getTime() - 1));
    expect(scheduleTimes(daily, first)).toEqual(direct(daily, first));
  });

  it('keeps specs apart', () => {
    const now = new Date('2026-11-10T00:00:00Z');
    const berlin: SyncSchedule = { ...daily, timezone: 'Europe/Berlin' };
    scheduleTimes(daily, now);
    expect(scheduleTimes(berlin, now)).toEqual(direct(berlin, now));
    expect(scheduleTimes({ ...daily, time: '02:30' }, now)).toEqual(direct({ ...daily, time: '02:30' }, now));
  });

  it('a caller changing its answer does not change the next one', () => {
    const now = new Date('2026-11-10T00:00:00Z');
    scheduleTimes(daily, now).nextRuns[0]!.setTime(0);
    expect(scheduleTimes(daily, now)).toEqual(direct(daily, now));
  });
});

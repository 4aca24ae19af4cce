/**
 * A partner's sync schedule as a Temporal ScheduleSpec: daily or weekly at a wall-clock time in
 * the partner's IANA timezone. Temporal matches wall-clock times literally (no DST handling):
 * a time inside the spring-forward gap does not occur that day, and one inside the fall-back
 * hour occurs twice. The service therefore refuses times in a gap of the chosen timezone's
 * transitions and, for repeated hours, relies on the overlap policy SKIP plus the idempotent
 * upsert (a second run the same night changes nothing).
 */
export const daysOfWeek = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type DayOfWeek = (typeof daysOfWeek)[number];

export interface SyncSchedule {
  frequency: 'daily' | 'weekly';
  dayOfWeek?: DayOfWeek | null;
  /** HH:MM, 24-hour. */
  time: string;
  timezone: string;
}

export interface CalendarSpecLike {
  hour: number;
  minute: number;
  dayOfWeek?: DayOfWeek;
  comment: string;
}

export function parseTime(time: string): { hour: number; minute: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!m) throw new Error(`not a time of day (HH:MM): ${time}`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

export function calendarFor(schedule: SyncSchedule): CalendarSpecLike {
  const { hour, minute } = parseTime(schedule.time);
  if (schedule.frequency === 'weekly') {
    if (!schedule.dayOfWeek) throw new Error('a weekly schedule needs a dayOfWeek');
    return { hour, minute, dayOfWeek: schedule.dayOfWeek, comment: `weekly on ${schedule.dayOfWeek.toLowerCase()} at ${schedule.time} ${schedule.timezone}` };
  }
  return { hour, minute, comment: `daily at ${schedule.time} ${schedule.timezone}` };
}

/** UTC offset (minutes) of a timezone at an instant. */
export function offsetMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - at.getTime()) / 60_000);
}

/**
 * The daylight-saving transitions of a timezone within a year, each with the wall-clock span it
 * skips (spring forward) or repeats (fall back).
 */
export function transitions(timeZone: string, year: number): Array<{ at: Date; kind: 'gap' | 'overlap'; from: string; to: string }> {
  const out: Array<{ at: Date; kind: 'gap' | 'overlap'; from: string; to: string }> = [];
  let t = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  let prev = offsetMinutes(new Date(t), timeZone);
  for (t += 3_600_000; t <= end; t += 3_600_000) {
    const off = offsetMinutes(new Date(t), timeZone);
    if (off !== prev) {
      // Narrow the change to the minute.
      let lo = t - 3_600_000;
      let hi = t;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (offsetMinutes(new Date(mid), timeZone) === prev) lo = mid;
        else hi = mid;
      }
      const wall = (ms: number, offset: number) => new Date(ms + offset * 60_000).toISOString().slice(11, 16);
      const before = wall(hi, prev);
      const after = wall(hi, off);
      out.push(off > prev ? { at: new Date(hi), kind: 'gap', from: before, to: after } : { at: new Date(hi), kind: 'overlap', from: after, to: before });
      prev = off;
    }
  }
  return out;
}

/** A reason the time never occurs on some days in that timezone, or null. */
export function dstProblem(schedule: SyncSchedule, year: number): string | null {
  const time = schedule.time;
  for (const tr of transitions(schedule.timezone, year)) {
    if (tr.kind === 'gap' && time >= tr.from && time < tr.to) {
      return `${time} does not exist in ${schedule.timezone} on ${tr.at.toISOString().slice(0, 10)} (clocks jump from ${tr.from} to ${tr.to}), so that run would be skipped — pick a time outside ${tr.from}–${tr.to}`;
    }
  }
  return null;
}

/** Times in the repeated hour run twice on fall-back day; harmless, and said so to the user. */
export function dstNote(schedule: SyncSchedule, year: number): string | null {
  for (const tr of transitions(schedule.timezone, year)) {
    if (tr.kind === 'overlap' && schedule.time >= tr.from && schedule.time < tr.to) {
      return `${schedule.time} occurs twice in ${schedule.timezone} on ${tr.at.toISOString().slice(0, 10)}; the second run finds nothing to change`;
    }
  }
  return null;
}

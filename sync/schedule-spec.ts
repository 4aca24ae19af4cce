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

/**
 * One formatter per timezone: building an Intl.DateTimeFormat costs far more than using one, and
 * the transition scan asks for hundreds of offsets of the same zone.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone, before anything is cached.
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** UTC offset (minutes) of a timezone at an instant. */
export function offsetMinutes(at: Date, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - at.getTime()) / 60_000);
}

export interface Transition {
  at: Date;
  kind: 'gap' | 'overlap';
  from: string;
  to: string;
}

/** A transition with the local date of the wall-clock span it skips or repeats. */
interface DatedTransition extends Transition {
  day: string;
}

const DAY = 86_400_000;
const MINUTE = 60_000;

/**
 * Offsets are sampled once a day and a changing day is bisected to the minute (about 380 lookups
 * a year instead of 8,760 hourly ones). This relies on no zone changing its offset and changing
 * it back within one day, which holds for every zone in the ICU data (the unit test compares the
 * result with an hourly scan).
 */
function scan(timeZone: string, year: number): DatedTransition[] {
  const out: DatedTransition[] = [];
  const end = Date.UTC(year + 1, 0, 1);
  let lo = Date.UTC(year, 0, 1);
  let prev = offsetMinutes(new Date(lo), timeZone);
  while (lo < end) {
    const t = Math.min(lo + DAY, end);
    if (offsetMinutes(new Date(t), timeZone) === prev) {
      lo = t;
      continue;
    }
    // The first minute in (lo, t] whose offset differs from prev.
    let a = lo;
    let hi = t;
    while (hi - a > MINUTE) {
      const mid = a + Math.floor((hi - a) / (2 * MINUTE)) * MINUTE;
      if (offsetMinutes(new Date(mid), timeZone) === prev) a = mid;
      else hi = mid;
    }
    const off = offsetMinutes(new Date(hi), timeZone);
    const local = (offset: number) => new Date(hi + offset * MINUTE).toISOString();
    const before = local(prev);
    const after = local(off);
    // A gap's skipped span starts at the old wall clock, an overlap's repeated span at the new one;
    // that wall clock's date is the day the user sees it happen (not the UTC date of the instant).
    out.push(
      off > prev
        ? { at: new Date(hi), kind: 'gap', from: before.slice(11, 16), to: after.slice(11, 16), day: before.slice(0, 10) }
        : { at: new Date(hi), kind: 'overlap', from: after.slice(11, 16), to: before.slice(11, 16), day: after.slice(0, 10) },
    );
    prev = off;
    // Go on from the change itself, so a second change later the same day is still found.
    lo = hi;
  }
  return out;
}

/** Transitions per zone and year: the schedule routes ask for the same few on every request. */
const memo = new Map<string, readonly DatedTransition[]>();
const MEMO_LIMIT = 2_000;

/**
 * The daylight-saving transitions of a timezone within a year, each with the wall-clock span it
 * skips (spring forward) or repeats (fall back).
 */
export function transitions(timeZone: string, year: number): Transition[] {
  // Copies, so a caller changing the answer cannot change the memo.
  return dated(timeZone, year).map(({ at, kind, from, to }) => ({ at: new Date(at), kind, from, to }));
}

function dated(timeZone: string, year: number): readonly DatedTransition[] {
  const key = `${timeZone}\u0000${year}`;
  let found = memo.get(key);
  if (!found) {
    found = scan(timeZone, year);
    // About 420 zones × a few years in practice; the bound only guards against a caller looping
    // over years.
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(key, found);
  }
  return found;
}

/**
 * Whether a wall-clock time falls in a transition's span. Zones that change at midnight have
 * spans that wrap (Cairo repeats 23:00–00:00), where a plain string comparison never matches.
 */
function within(time: string, span: { from: string; to: string }): boolean {
  return span.from < span.to ? time >= span.from && time < span.to : time >= span.from || time < span.to;
}

const WEEKDAY_OF_UTC_DAY: DayOfWeek[] = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

/**
 * Whether the schedule runs on the local date a transition skips or repeats `time` on. A span
 * that wraps past midnight puts the times before its end on the next date. A weekly schedule on
 * another weekday never meets the transition (most zones change on a Sunday).
 */
function runsThatDay(schedule: SyncSchedule, tr: DatedTransition): boolean {
  if (schedule.frequency !== 'weekly') return true;
  const wrapsToNextDay = tr.from > tr.to && schedule.time < tr.to;
  const day = Date.parse(`${tr.day}T00:00:00Z`) + (wrapsToNextDay ? DAY : 0);
  return WEEKDAY_OF_UTC_DAY[new Date(day).getUTCDay()] === schedule.dayOfWeek;
}

/** The year's transitions of the schedule's zone that meet its time, after `after` when given. */
function meeting(schedule: SyncSchedule, year: number, kind: Transition['kind'], after?: Date): DatedTransition | undefined {
  return dated(schedule.timezone, year).find((tr) => tr.kind === kind && within(schedule.time, tr) && runsThatDay(schedule, tr) && (!after || tr.at > after));
}

/**
 * A reason the time never occurs on some day the schedule runs in that timezone, or null. With
 * `after`, a transition already past is left out, so the message names the one to come.
 */
export function dstProblem(schedule: SyncSchedule, year: number, after?: Date): string | null {
  const tr = meeting(schedule, year, 'gap', after);
  return tr ? `${schedule.time} does not exist in ${schedule.timezone} on ${tr.day} (clocks jump from ${tr.from} to ${tr.to}), so that run would be skipped — pick a time outside ${tr.from}–${tr.to}` : null;
}

/** Times in the repeated hour run twice on fall-back day; harmless, and said so to the user. */
export function dstNote(schedule: SyncSchedule, year: number, after?: Date): string | null {
  return noteOf(schedule, meeting(schedule, year, 'overlap', after));
}

function noteOf(schedule: SyncSchedule, tr: DatedTransition | undefined): string | null {
  return tr ? `${schedule.time} occurs twice in ${schedule.timezone} on ${tr.day}; the second run finds nothing to change` : null;
}

/**
 * The note for the next fall-back after `now` that meets the schedule (this year's or next
 * year's), and the instant it passes, after which the note names the following one.
 */
export function upcomingDstNote(schedule: SyncSchedule, now: Date): { note: string; passesAt: Date } | null {
  const year = now.getUTCFullYear();
  const tr = meeting(schedule, year, 'overlap', now) ?? meeting(schedule, year + 1, 'overlap', now);
  return tr ? { note: noteOf(schedule, tr)!, passesAt: new Date(tr.at) } : null;
}

/** The refusal for the next spring-forward after `now` that meets the schedule, this year's or next year's. */
export function upcomingDstProblem(schedule: SyncSchedule, now: Date): string | null {
  const year = now.getUTCFullYear();
  return dstProblem(schedule, year, now) ?? dstProblem(schedule, year + 1, now);
}

/**
 * The next `count` instants after `from` at which Temporal starts the schedule, computed here so
 * reading a schedule needs no call to Temporal (issue 15: its describe took most of the read).
 * Temporal matches wall-clock times literally, and so does this: a day whose clocks skip the time
 * has no run, a day that repeats it has two.
 */
export function nextRunTimes(schedule: SyncSchedule, from: Date, count = 5): Date[] {
  const { hour, minute } = parseTime(schedule.time);
  const out: Date[] = [];
  // Start a day early in local terms: `from` may already be the next local day somewhere east.
  const firstDay = Math.floor(from.getTime() / DAY) * DAY - DAY;
  // A weekly schedule needs at most 7 days per run; two extra weeks cover skipped days.
  for (let day = firstDay; out.length < count && day < firstDay + (count + 2) * 7 * DAY; day += DAY) {
    if (schedule.frequency === 'weekly' && WEEKDAY_OF_UTC_DAY[new Date(day).getUTCDay()] !== schedule.dayOfWeek) continue;
    // The wall-clock time read as if it were UTC; the instants that show it are that, less an offset in force.
    const wall = day + hour * 3_600_000 + minute * MINUTE;
    const offsets = new Set([offsetMinutes(new Date(wall - DAY / 2), schedule.timezone), offsetMinutes(new Date(wall + DAY / 2), schedule.timezone)]);
    const instants = [...offsets].map((o) => wall - o * MINUTE).filter((t) => offsetMinutes(new Date(t), schedule.timezone) === (wall - t) / MINUTE).sort((a, b) => a - b);
    for (const t of instants) if (t > from.getTime() && out.length < count) out.push(new Date(t));
  }
  return out;
}

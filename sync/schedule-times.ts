/**
 * What a schedule read shows besides the stored spec: its daylight-saving note and next run
 * times. Both follow from the spec and the clock alone, and the portal reads them far more often
 * than they change: the note only once the fall-back it names has passed, the next runs only
 * once the first of them has passed. So each spec's answer is kept and reused until then (issue
 * 15: `GET /schedule` at API speed).
 */
import { nextRunTimes, upcomingDstNote, type SyncSchedule } from './schedule-spec.ts';

export interface ScheduleTimes {
  note: string | null;
  nextRuns: Date[];
}

interface Entry {
  /** The instant the answer was computed from, and the first run after it: valid in [from, until). */
  from: number;
  until: number;
  year: number;
  note: string | null;
  nextRuns: readonly number[];
}

const entries = new Map<string, Entry>();
/** Specs differ by time, day and zone: a few hundred in practice; the bound guards the worst case. */
const LIMIT = 5_000;

const keyOf = (s: SyncSchedule) => `${s.frequency}\u0000${s.dayOfWeek ?? ''}\u0000${s.time}\u0000${s.timezone}`;

/** The note for the next fall-back after `now` (this year's or next) and the next `count` runs after `now`, as `dstNote` and `nextRunTimes` give them. */
export function scheduleTimes(schedule: SyncSchedule, now: Date, count = 5): ScheduleTimes {
  const t = now.getTime();
  const year = now.getUTCFullYear();
  const key = `${keyOf(schedule)}\u0000${count}`;
  let entry = entries.get(key);
  // Reused only for an instant the entry was computed for: at or after `from` (a clock set back
  // recomputes) and before the first run (once it has passed, the list moves on).
  if (!entry || t < entry.from || t >= entry.until || year !== entry.year) {
    const runs = nextRunTimes(schedule, now, count).map((d) => d.getTime());
    const upcoming = upcomingDstNote(schedule, now);
    // The note moves on to the next fall-back once this one has passed.
    const until = Math.min(runs[0] ?? t, upcoming?.passesAt.getTime() ?? Infinity);
    entry = { from: t, until, year, note: upcoming?.note ?? null, nextRuns: runs };
    if (entries.size >= LIMIT) entries.clear();
    entries.set(key, entry);
  }
  // Fresh Dates: a caller changing one cannot change what the next read gets.
  return { note: entry.note, nextRuns: entry.nextRuns.map((ms) => new Date(ms)) };
}

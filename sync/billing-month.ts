/**
 * Billing months (docs/design.md, domain rule 7). Password Boss finalises each month's counts on its last
 * day; a run uses the latest final month M, and the change takes effect on the first day of
 * M+1 — the period the next invoice covers.
 */

export type Month = `${number}-${string}`;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function parseMonth(month: string): { year: number; month: number } {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`not a month (YYYY-MM): ${month}`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

export function formatMonth(year: number, month: number): string {
  const d = new Date(Date.UTC(year, month - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function addMonths(month: string, delta: number): string {
  const { year, month: m } = parseMonth(month);
  return formatMonth(year, m + delta);
}

/** The calendar month a moment falls in, on the partner's wall clock. */
export function monthInZone(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(at);
  const year = parts.find((p) => p.type === 'year')!.value;
  const month = parts.find((p) => p.type === 'month')!.value;
  return `${year}-${month}`;
}

/** The month whose counts should be final by now: the one before the partner's current month. */
export function expectedFinalMonth(at: Date, timeZone: string): string {
  return addMonths(monthInZone(at, timeZone), -1);
}

/** The first day of the month after M, as `YYYY-MM-DD`. */
export function effectiveDateFor(month: string): string {
  return `${addMonths(month, 1)}-01`;
}

/** The last day of a month, as `YYYY-MM-DD` (leap years included). */
export function lastDayOf(month: string): string {
  const { year, month: m } = parseMonth(month);
  const day = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return `${month}-${String(day).padStart(2, '0')}`;
}

/** Today's date on the partner's wall clock, as YYYY-MM-DD. */
export function todayIn(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

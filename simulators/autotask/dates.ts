/** Date helpers for the simulator: date-only values as `YYYY-MM-DD`, served with `T00:00:00`. */

export const toWire = (date: string | null | undefined) => (date ? `${date}T00:00:00` : null);

/** The date part of an Autotask datetime; `shiftNonMidnight` reproduces the documented previous-day shift. */
export function datePart(value: string, shiftNonMidnight = false): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) return null;
  const date = m[1]!;
  if (Number.isNaN(Date.parse(`${date}T00:00:00Z`))) return null;
  const midnight = (m[2] ?? '00') === '00' && (m[3] ?? '00') === '00' && (m[4] ?? '00') === '00';
  return shiftNonMidnight && !midnight ? addDays(date, -1) : date;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

/** Months per billing period for a contractPeriodType (1 monthly, 2 quarterly, 3 semi-annual, 4 yearly). */
export const periodMonths = (periodType: number) => ({ 1: 1, 2: 3, 3: 6, 4: 12 })[periodType] ?? 1;

/**
 * Bounds a units write must respect before it leaves the process. Autotask types `unitChange` and
 * `units` as int32; a count past MAX_UNITS is far beyond any MSP's user count, so it is a wrong
 * number upstream (a bad month-end total, a unit mix-up), and billing it would be an invoice
 * nobody can explain.
 */
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;
export const MAX_UNITS = 1_000_000;

export const isInt32 = (n: number): boolean => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX;

/**
 * Bounds a units write must respect before it leaves the process. Autotask types `unitChange` and
 * `units` as int32. set-units.ts checks MAX_UNITS (sync/unit-limits.ts, where the plan refuses
 * it first) again before anything is sent.
 */
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;
export { MAX_UNITS } from '../../sync/unit-limits.ts';

export const isInt32 = (n: number): boolean => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX;

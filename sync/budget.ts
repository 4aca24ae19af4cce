/**
 * The tenant's hourly Autotask budget (docs/design.md rule 10): Autotask allows an MSP a number of
 * requests per rolling window (10,000 an hour) for all its integrations together, and this
 * service keeps its tenant's usage under a share of it (`AUTOTASK_BUDGET_SHARE`), so the MSP's
 * other tools keep working while a big run goes on. Pure rules; the workflow paces with them.
 */
import type { CompanyPlan } from './records.ts';

/** ThresholdInformation, read for free, with the share this service may fill. */
export interface BudgetReading {
  /** Requests the tenant made in the current window, by every integration. */
  used: number;
  /** The share of the tenant's threshold this service may fill, in requests. */
  allowed: number;
  /** The window's length (Autotask: an hour). */
  windowMs: number;
}

/**
 * What a company's writes cost at most: per changed service the adjustment and its confirming
 * read. An upper bound on purpose: the pacing stays under the share only if no company spends
 * more than it was admitted for.
 */
export function requestsFor(plan: Pick<CompanyPlan, 'actions'>): number {
  return 2 * plan.actions.filter((a) => a.from !== a.to).length;
}

export function allowedRequests(threshold: number, share: number): number {
  return Math.floor(threshold * share);
}

/**
 * Requests that may still be started: the share, less what the window already holds, less what
 * companies admitted earlier may still send (they are counted before they show in `used`).
 */
export function roomLeft(reading: BudgetReading, outstanding: number): number {
  return reading.allowed - reading.used - outstanding;
}

/**
 * How long to wait before reading the usage again: a twelfth of the window (5 minutes of
 * Autotask's hour), so the rolling window has dropped some requests, without long idle stretches.
 */
export function pauseFor(reading: BudgetReading): number {
  return Math.max(100, Math.round(reading.windowMs / 12));
}

/**
 * The words the rest of the house speaks about a sync: a company's and a run's statuses, and
 * Autotask's contract type the service bills through. The database columns, the API's schemas
 * and the workflows all take them from here.
 */

/**
 * A company's status in the mapping list and in each result row. `held`: a change beyond the
 * partner's guardrails waits for approval (sync/approval.ts); `rejected`: the MSP turned it down.
 */
export const companyStatuses = ['never_synced', 'syncing', 'ok', 'warning', 'error', 'skipped', 'excluded', 'held', 'rejected'] as const;
export type CompanyStatus = (typeof companyStatuses)[number];

/**
 * A run's status: `failed` is a run that ended in Temporal without recording its outcome; `held`
 * a run whose companies all went through except some held for approval.
 */
export const runStatuses = ['running', 'ok', 'warning', 'error', 'skipped', 'failed', 'held'] as const;
export type RunStatus = (typeof runStatuses)[number];

/** Autotask's contractType for a Recurring Service contract, the only kind that bills units. */
export const RECURRING_SERVICE_CONTRACT = 7;

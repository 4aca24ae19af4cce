/**
 * A company's effective date (docs/design.md rule 7): the later of the first day after the latest final
 * month and the contract's start date. A contract that starts inside the period the run bills
 * (the month after M) is billed from its start date: Autotask refuses an adjustment dated before
 * the contract starts, and the customer owes nothing before it.
 *
 * A contract that starts after that period is not an error: the MSP may have mapped next year's
 * contract early, or picked the wrong one. Nothing is written (month M's count is not what that
 * later period will owe) and the company gets a warning that says both: when billing starts, and
 * which contract to pick if it should start now. The run after the period before the start is
 * final bills it from its start date. Pure.
 */
import { lastDayOf } from './billing-month.ts';
import type { Problem } from './records.ts';

export type CompanyEffectiveDate = { effectiveDate: string; problem?: undefined } | { effectiveDate?: undefined; problem: Problem };

/**
 * @param periodStart the first day after the latest final month (`YYYY-MM-01`), the run's own date
 * @param contract the contract's name and start date (`YYYY-MM-DD`, null: open-ended)
 */
export function companyEffectiveDate(periodStart: string, contract: { contractName: string; startDate: string | null }): CompanyEffectiveDate {
  const start = contract.startDate;
  if (!start || start <= periodStart) return { effectiveDate: periodStart };
  const periodEnd = lastDayOf(periodStart.slice(0, 7));
  if (start <= periodEnd) return { effectiveDate: start };
  return {
    problem: {
      severity: 'warning',
      code: 'contract_not_started',
      detail: `Contract '${contract.contractName}' starts on ${start}, after the period this run bills (${periodStart} to ${periodEnd}); nothing was written — it is billed from ${start} by the first run for that period, or pick the contract in force on ${periodStart} to bill now`,
    },
  };
}

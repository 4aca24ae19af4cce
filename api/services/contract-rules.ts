/**
 * Which contract a company mapping may use (DESIGN.md rule 6): it exists, belongs to that
 * Autotask company, is a Recurring Service contract, and has not ended. Each broken rule has
 * its own code and a message that says what to pick instead.
 */
import { RECURRING_SERVICE_CONTRACT } from '../../integrations/autotask/client.ts';
import type { AtContract } from '../../integrations/autotask/schemas.ts';

export type ContractRule = 'contract_not_found' | 'contract_wrong_company' | 'contract_not_recurring' | 'contract_ended';

export function contractEligibility(contract: AtContract | undefined | null, autotaskCompanyId: number, today: string): { code: ContractRule; message: string } | null {
  if (!contract) return { code: 'contract_not_found', message: 'The contract does not exist in Autotask; pick one of the company\'s Recurring Service contracts' };
  if (contract.companyID !== autotaskCompanyId) return { code: 'contract_wrong_company', message: `Contract '${contract.contractName}' belongs to another Autotask company; pick a contract of the selected company` };
  if (contract.contractType !== RECURRING_SERVICE_CONTRACT) return { code: 'contract_not_recurring', message: `Contract '${contract.contractName}' is not a Recurring Service contract; units can only be billed through a Recurring Service contract` };
  if (contract.endDate && contract.endDate < today) return { code: 'contract_ended', message: `Contract '${contract.contractName}' ended on ${contract.endDate}; pick the renewed contract` };
  return null;
}

/** Today's date on the partner's wall clock, as YYYY-MM-DD. */
export function todayIn(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/**
 * Which contract may bill a company's units (docs/design.md, domain rule 6): it exists, belongs
 * to that Autotask company, is a Recurring Service contract, and is in force on the date. One
 * rule, worded twice: for the mapping screen (today's date) and for a run's plan (the billing
 * date), each message saying what to pick instead.
 */
import { RECURRING_SERVICE_CONTRACT } from './vocabulary.ts';

export type ContractRule = 'contract_not_found' | 'contract_wrong_company' | 'contract_not_recurring' | 'contract_inactive' | 'contract_ended' | 'contract_not_started';

/** Autotask's Contracts.status for an inactive contract: it takes no adjustments. */
export const INACTIVE_CONTRACT = 0;

/** The contract fields the rule reads (Autotask's Contracts entity). */
export interface RuleContract {
  companyID: number;
  contractName: string;
  contractType: number;
  /** 1 active, 0 inactive; absent when not read. */
  status?: number | null | undefined;
  startDate: string | null;
  endDate: string | null;
}

/** The first rule the contract breaks for billing the company on `date` (YYYY-MM-DD), or null. */
export function brokenContractRule(contract: RuleContract | null | undefined, autotaskCompanyId: number, date: string): ContractRule | null {
  if (!contract) return 'contract_not_found';
  if (contract.companyID !== autotaskCompanyId) return 'contract_wrong_company';
  if (contract.contractType !== RECURRING_SERVICE_CONTRACT) return 'contract_not_recurring';
  // Ended before inactive: old contracts are usually both, and an ended one's way out is its
  // renewal (named in the message), not activating it again.
  if (contract.endDate && contract.endDate < date) return 'contract_ended';
  // Autotask refuses every adjustment to an inactive contract: say so before a write is tried.
  if (contract.status === INACTIVE_CONTRACT) return 'contract_inactive';
  if (contract.startDate && contract.startDate > date) return 'contract_not_started';
  return null;
}

/**
 * Whether a mapping may use the contract, as of the partner's today. A contract that starts later
 * may be chosen now: each run checks it again against its own billing date.
 */
export function contractEligibility(contract: RuleContract | undefined | null, autotaskCompanyId: number, today: string): { code: Exclude<ContractRule, 'contract_not_started'>; message: string } | null {
  const rule = brokenContractRule(contract, autotaskCompanyId, today);
  const name = `Contract '${contract?.contractName}'`;
  switch (rule) {
    case null:
    case 'contract_not_started':
      return null;
    case 'contract_not_found': return { code: rule, message: 'The contract does not exist in Autotask; pick one of the company\'s Recurring Service contracts' };
    case 'contract_wrong_company': return { code: rule, message: `${name} belongs to another Autotask company; pick a contract of the selected company` };
    case 'contract_not_recurring': return { code: rule, message: `${name} is not a Recurring Service contract; units can only be billed through a Recurring Service contract` };
    case 'contract_inactive': return { code: rule, message: `${name} is inactive in Autotask and takes no units; activate it in Autotask or pick an active contract` };
    case 'contract_ended': return { code: rule, message: `${name} ended on ${contract?.endDate}; pick the renewed contract` };
  }
}

/**
 * Which contract a match suggestion proposes (issue 17): the Autotask company's one live
 * Recurring Service contract, and only when there is exactly one that no other company of the
 * partner holds (one contract, one company, docs/design.md rule 6). Anything else proposes
 * nothing and says why, so the MSP picks by hand.
 */
import { contractEligibility, type RuleContract } from './contract-rules.ts';

export interface ProposableContract extends RuleContract {
  id: number;
}

export type ContractProposal =
  | { contract: { id: number; name: string }; note: null }
  | { contract: null; note: string };

/**
 * @param takenBy contract id → the name of the partner's company that holds it already
 * @param today the partner's today (YYYY-MM-DD)
 */
export function proposeContract(contracts: readonly ProposableContract[], autotaskCompanyId: number, today: string, takenBy: ReadonlyMap<number, string>): ContractProposal {
  const live = contracts.filter((c) => contractEligibility(c, autotaskCompanyId, today) === null);
  if (live.length === 0) return { contract: null, note: 'No live Recurring Service contract: create one in Autotask, or pick another company' };
  const free = live.filter((c) => !takenBy.has(c.id));
  if (free.length === 1 && live.length === 1) return { contract: { id: free[0]!.id, name: free[0]!.contractName }, note: null };
  if (free.length === 0) {
    const holders = [...new Set(live.map((c) => takenBy.get(c.id)!))];
    return { contract: null, note: `Its live Recurring Service contract${live.length > 1 ? 's are' : ' is'} already mapped to ${holders.map((h) => `'${h}'`).join(', ')}` };
  }
  return { contract: null, note: `${live.length} live Recurring Service contracts: open the company and pick one` };
}

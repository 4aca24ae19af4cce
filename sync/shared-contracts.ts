/**
 * One contract, one company (docs/design.md rule 6). Two Password Boss companies mapped to one contract
 * make every run overwrite one count with the other, so the units flip on every run. The mapping
 * API refuses new shares; rows that already share a contract (saved before the rule existed) are
 * found here and each of those companies gets an error until the MSP remaps one of them.
 * Pure.
 */
import type { Problem } from './records.ts';

export interface ContractHolder {
  pbCompanyId: string;
  pbCompanyName: string;
  /** null: the company is not mapped. */
  contractId: number | null;
  contractName?: string | null | undefined;
  /** An excluded company is never synced, so it holds no contract. */
  excluded?: boolean | undefined;
}

/** The `contract_shared` problem of every company whose contract another company also holds. */
export function sharedContractProblems(holders: readonly ContractHolder[]): Map<string, Problem> {
  const byContract = new Map<number, ContractHolder[]>();
  for (const h of holders) {
    if (h.contractId === null || h.excluded) continue;
    const list = byContract.get(h.contractId) ?? [];
    list.push(h);
    byContract.set(h.contractId, list);
  }
  const problems = new Map<string, Problem>();
  for (const [contractId, list] of byContract) {
    if (list.length < 2) continue;
    for (const h of list) {
      const others = list.filter((o) => o !== h).map((o) => `'${o.pbCompanyName}' (${o.pbCompanyId})`);
      const contract = h.contractName ? `Contract '${h.contractName}' (#${contractId})` : `Contract #${contractId}`;
      problems.set(h.pbCompanyId, {
        severity: 'error',
        code: 'contract_shared',
        detail: `${contract} is also mapped to ${others.join(', ')}; nothing is written to it until each contract is mapped to one Password Boss company — remap or unmap the others`,
      });
    }
  }
  return problems;
}

/**
 * What an unmap leaves billed, in words (docs/design.md rule 8b): Autotask cannot remove a
 * service from a contract, so the units the sync set stay there. The answer carries ids; the
 * MSP reads service and contract names.
 */
import type { Stop } from './api.ts';

export interface PairNames {
  services: ReadonlyMap<number, string>;
  contracts: ReadonlyMap<number, string>;
}

const units = (n: number) => `${n} unit${n === 1 ? '' : 's'}`;

export function leftBehindInWords(pair: Stop['leftBehind'][number], names: PairNames): string {
  const service = names.services.get(pair.serviceId);
  const contract = names.contracts.get(pair.contractId);
  return `${service ? `“${service}”` : `Service #${pair.serviceId}`} on ${contract ? `contract “${contract}” (#${pair.contractId})` : `contract #${pair.contractId}`} keeps ${units(pair.units)}, still billed on that contract's invoices`;
}

/**
 * ContractServiceUnits, derived like Autotask does: one row per billing period per contract
 * service; an adjustment inside a period splits it (the new row starts on the effective date,
 * the previous row ends on it); units are the running sum of the deltas.
 */
import { addDays, addMonths, periodMonths } from './dates.ts';

export interface UnitRow {
  id: number;
  contractID: number;
  contractServiceID: number;
  serviceID: number;
  startDate: string;
  endDate: string;
  units: number;
  price: number;
  cost: number;
  approveAndPostDate: string | null;
}

export interface UnitsInput {
  contract: { id: number; startDate: string; endDate: string; contractPeriodType: number };
  contractService: { id: number; serviceID: number; unitPrice: number; unitCost: number };
  adjustments: Array<{ effectiveDate: string; unitChange: number }>;
  postedThrough: string | null;
}

export function deriveUnits(input: UnitsInput): UnitRow[] {
  const { contract, contractService } = input;
  const deltas = [...input.adjustments].sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate));
  const unitsAt = (date: string) => deltas.filter((d) => d.effectiveDate <= date).reduce((s, d) => s + d.unitChange, 0);
  const rows: UnitRow[] = [];
  const step = periodMonths(contract.contractPeriodType);
  let periodStart = contract.startDate;
  for (let index = 0; periodStart <= contract.endDate && index < 1200; index++) {
    const nextStart = addMonths(contract.startDate, step * (index + 1));
    const periodEnd = nextStart > contract.endDate ? contract.endDate : addDays(nextStart, -1);
    const splits = [...new Set(deltas.map((d) => d.effectiveDate).filter((d) => d > periodStart && d <= periodEnd))].sort();
    const starts = [periodStart, ...splits];
    starts.forEach((start, split) => {
      const end = splits[split] ?? periodEnd;
      const units = unitsAt(start);
      rows.push({
        id: contractService.id * 100_000 + index * 100 + split,
        contractID: contract.id,
        contractServiceID: contractService.id,
        serviceID: contractService.serviceID,
        startDate: start,
        endDate: end,
        units,
        price: round2(units * contractService.unitPrice),
        cost: round2(units * contractService.unitCost),
        approveAndPostDate: input.postedThrough && periodEnd <= input.postedThrough ? addDays(periodEnd, 1) : null,
      });
    });
    periodStart = nextStart;
  }
  return rows;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * ContractServiceUnits, derived like Autotask documents it: one row per billing period per
 * contract service, unless adjustments fall inside the period; then every adjustment starts a
 * row of its own on its effective date, and the row before ends on that date. Two adjustments on
 * one day are two rows (the first ends the day it starts), so a reader must pick the latest —
 * the later adjustment's row has the higher id. Units are the running sum of the deltas.
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
  /** Extended: units × the contract service's unit price, as Autotask serves it. */
  price: number;
  cost: number;
  approveAndPostDate: string | null;
}

export interface UnitsInput {
  contract: { id: number; startDate: string; endDate: string; contractPeriodType: number };
  contractService: { id: number; serviceID: number; unitPrice: number; unitCost: number };
  /** Applied adjustments only; `id` orders those of one day as Autotask received them. */
  adjustments: Array<{ id: number; effectiveDate: string; unitChange: number }>;
  postedThrough: string | null;
}

/**
 * Row ids: contract service, then period, then row within the period, so they stay unique and
 * ordered (contract service ids below 90,000,000 keep them under 2^53).
 */
const ROWS_PER_PERIOD = 10_000;
const PERIODS_PER_SERVICE = 10_000;

export function deriveUnits(input: UnitsInput): UnitRow[] {
  const { contract, contractService } = input;
  const deltas = [...input.adjustments].sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate) || a.id - b.id);
  const rows: UnitRow[] = [];
  const step = periodMonths(contract.contractPeriodType);
  let next = 0; // first delta not yet counted
  let units = 0;
  let periodStart = contract.startDate;
  for (let index = 0; periodStart <= contract.endDate && index < 1200; index++) {
    const nextStart = addMonths(contract.startDate, step * (index + 1));
    const periodEnd = nextStart > contract.endDate ? contract.endDate : addDays(nextStart, -1);
    while (next < deltas.length && deltas[next]!.effectiveDate < periodStart) units += deltas[next++]!.unitChange;
    const starts: Array<{ start: string; units: number }> = [];
    if (next >= deltas.length || deltas[next]!.effectiveDate > periodStart) starts.push({ start: periodStart, units });
    while (next < deltas.length && deltas[next]!.effectiveDate <= periodEnd) {
      const delta = deltas[next++]!;
      units += delta.unitChange;
      starts.push({ start: delta.effectiveDate, units });
    }
    if (starts.length > ROWS_PER_PERIOD) throw new Error(`simulator limit: more than ${ROWS_PER_PERIOD} adjustments in one period of contract service ${contractService.id}`);
    const posted = input.postedThrough && periodEnd <= input.postedThrough ? addDays(periodEnd, 1) : null;
    starts.forEach((row, split) => {
      rows.push({
        id: (contractService.id * PERIODS_PER_SERVICE + index) * ROWS_PER_PERIOD + split,
        contractID: contract.id,
        contractServiceID: contractService.id,
        serviceID: contractService.serviceID,
        startDate: row.start,
        endDate: starts[split + 1]?.start ?? periodEnd,
        units: row.units,
        price: round2(row.units * contractService.unitPrice),
        cost: round2(row.units * contractService.unitCost),
        approveAndPostDate: posted,
      });
    });
    periodStart = nextStart;
  }
  return rows;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * What a result line adds after "Service: before → after" to say why the units changed. A count
 * needs no note (that is the rule working); everything else tells the MSP where billing went.
 * Pure.
 */
import type { UnitAction } from './records.ts';

export function reasonNote(action: Pick<UnitAction, 'reason' | 'contractId' | 'effectiveDate'>): string {
  switch (action.reason) {
    case 'count':
      // Only a hand-back dates a count later than its plan: billing moved away on that day and came back.
      return action.effectiveDate ? ` (from ${action.effectiveDate}: billing moved to another contract on that day and has moved back)` : '';
    case 'product_removed':
      return ' (product no longer used)';
    case 'moved_contract':
      return ` (billing moved to another contract; contract #${action.contractId ?? '?'} no longer bills this company)`;
    case 'moved_service':
      return ' (the product is now billed through another service)';
    case 'released':
      return ' (released when the company stopped being billed here)';
  }
}

/**
 * Which cached contracts a run reads again before writing (activities/current-contracts.ts): every
 * contract a write goes to, and the company's own whenever it writes anything, because the own
 * contract's start date dates a zero written on the contract the company moved away from.
 */
import { describe, expect, it } from 'vitest';
import { writtenContracts } from '../../activities/current-contracts.ts';
import type { CompanyPlan } from '../../sync/records.ts';

const plan = (contractId: number, actions: Array<{ from: number; to: number; contractId?: number }>): CompanyPlan => ({
  pbCompanyId: `c-${contractId}`,
  pbCompanyName: 'Acme',
  contractId,
  contractName: null,
  actions: actions.map((a, i) => ({ serviceId: 300 + i, serviceName: 'Standard', productIds: ['pb-standard'], reason: 'count', ...a })),
  problems: [],
});

describe('writtenContracts', () => {
  it('is the contracts the writes go to', () => {
    expect(writtenContracts([plan(1, [{ from: 3, to: 5 }]), plan(2, [{ from: 4, to: 4 }])])).toEqual(new Set([1]));
  });

  it('includes the company own contract when its only write is a zero elsewhere (a move whose new pair is already right)', () => {
    // Company moved from contract 7 to 8; 8 already holds the count, 7 is zeroed from 8's start.
    expect(writtenContracts([plan(8, [{ from: 10, to: 10 }, { from: 10, to: 0, contractId: 7 }])])).toEqual(new Set([7, 8]));
  });

  it('leaves out a company that writes nothing', () => {
    expect(writtenContracts([plan(9, [{ from: 2, to: 2, contractId: 5 }])])).toEqual(new Set());
  });
});

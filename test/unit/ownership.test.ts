import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideOwnership, leftBehindByCompany, leftBehindOf, pairKey, zeroWrites, type CompanyMappingState, type OwnedPair, type OwnershipInput, type PairDecision } from '../../sync/ownership.ts';

const owned = (over: Partial<OwnedPair> = {}): OwnedPair => ({ contractId: 50, serviceId: 301, units: 10, effectiveDate: '2026-11-01', runId: 'r1', pbCompanyId: 'c1', productIds: ['std'], ...over });
const acme: CompanyMappingState = { pbCompanyId: 'c1', pbCompanyName: 'Acme', contractId: 50, excluded: false };
const input = (over: Partial<OwnershipInput> = {}): OwnershipInput => ({
  owned: [owned()],
  companies: [acme],
  productServices: new Map<string, number | null>([['std', 301], ['adv', 302]]),
  pendingReleases: [],
  liveContracts: new Set([50, 60]),
  billingCompanies: new Set(['c1']),
  ...over,
});
const only = (over: Partial<OwnershipInput>) => {
  const decisions = decideOwnership(input(over));
  expect(decisions).toHaveLength(1);
  return decisions[0]!;
};

describe('ownership: keep', () => {
  it('keeps a pair the company still produces; its target comes from the counts', () => {
    expect(only({})).toMatchObject({ kind: 'keep', pbCompanyId: 'c1', productIds: ['std'] });
  });

  it('hands a pair to the company that maps the contract now, so it has one target', () => {
    const decision = only({ companies: [{ ...acme, contractId: null }, { pbCompanyId: 'c2', pbCompanyName: 'Acme Labs', contractId: 50, excluded: false }] });
    expect(decision).toMatchObject({ kind: 'keep', pbCompanyId: 'c2' });
  });

  it('keeps a pair another product now bills through, instead of zeroing it', () => {
    expect(only({ productServices: new Map([['std', 305], ['adv', 301]]) })).toMatchObject({ kind: 'keep', productIds: ['adv'] });
  });
});

describe('ownership: moves zero the old pair in the same run (defect 2)', () => {
  it('product mapped to another service: Standard 301 → 305 zeroes 301', () => {
    const decisions = decideOwnership(input({ productServices: new Map([['std', 305]]) }));
    expect(decisions[0]).toMatchObject({ kind: 'move', reason: 'moved_service', to: 0 });
    expect(zeroWrites(decisions)).toEqual([{ contractId: 50, serviceId: 301, pbCompanyId: 'c1', productIds: ['std'], from: 10, to: 0, reason: 'moved_service' }]);
  });

  it('company mapped to another live contract zeroes the pair on the old one', () => {
    expect(only({ companies: [{ ...acme, contractId: 60 }] })).toMatchObject({ kind: 'move', reason: 'moved_contract', to: 0 });
  });

  it('does not zero the old pair when the new contract takes no units (inactive, ended, gone)', () => {
    // Billed nowhere would be worse than billed on the old contract until the MSP fixes the mapping.
    expect(only({ companies: [{ ...acme, contractId: 60 }], billingCompanies: new Set() })).toMatchObject({ kind: 'hold', reason: 'contract_not_live' });
  });

  it('writes nothing to an old contract that has ended (it bills nothing more)', () => {
    expect(only({ companies: [{ ...acme, contractId: 60 }], liveContracts: new Set([60]) }).kind).toBe('lapsed');
  });

  it('zeroes when one of two products sharing the service moved, even if the other is not billed', () => {
    const decision = only({ owned: [owned({ productIds: ['std', 'adv'] })], productServices: new Map([['std', 305], ['adv', null]]) });
    expect(decision).toMatchObject({ kind: 'move', reason: 'moved_service' });
  });
});

describe('ownership: stops leave units and say so', () => {
  it.each([
    ['unmapped', { companies: [{ ...acme, contractId: null }] }],
    ['unmapped', { companies: [] }],
    ['excluded', { companies: [{ ...acme, contractId: null, excluded: true }] }],
    ['not_billed', { productServices: new Map([['std', null]]) }],
    ['not_configured', { productServices: new Map<string, number | null>() }],
  ] as const)('%s', (cause, over) => {
    const decisions = decideOwnership(input(over));
    expect(decisions[0]).toMatchObject({ kind: 'stop', cause });
    expect(zeroWrites(decisions)).toEqual([]);
    expect(leftBehindByCompany(decisions).get('c1')).toEqual([{ contractId: 50, serviceId: 301, units: 10 }]);
  });

  it('releases a stop the MSP asked to zero', () => {
    const decisions = decideOwnership(input({ companies: [], pendingReleases: [{ contractId: 50, serviceId: 301 }] }));
    expect(decisions[0]).toMatchObject({ kind: 'release', reason: 'released', cause: 'unmapped', to: 0 });
    expect(zeroWrites(decisions)).toEqual([expect.objectContaining({ contractId: 50, serviceId: 301, reason: 'released', from: 10 })]);
    expect(leftBehindByCompany(decisions).size).toBe(0);
  });

  it('ignores a pending release for a pair a mapping produces again', () => {
    expect(only({ pendingReleases: [{ contractId: 50, serviceId: 301 }] }).kind).toBe('keep');
  });
});

describe('ownership: shared contracts hold (defect 1)', () => {
  it('writes nothing to a pair on a contract two companies map', () => {
    const decisions = decideOwnership(input({ companies: [acme, { pbCompanyId: 'c2', pbCompanyName: 'Acme Labs', contractId: 50, excluded: false }] }));
    expect(decisions[0]).toMatchObject({ kind: 'hold', reason: 'contract_shared' });
    expect(zeroWrites(decisions)).toEqual([]);
  });

  it('does not move billing away for a company whose new contract is shared', () => {
    const companies = [{ ...acme, contractId: 60 }, { pbCompanyId: 'c2', pbCompanyName: 'Acme Labs', contractId: 60, excluded: false }];
    expect(only({ companies }).kind).toBe('hold');
  });
});

describe('ownership: input and answers', () => {
  it('refuses two ledger entries for one pair', () => {
    expect(() => decideOwnership(input({ owned: [owned(), owned({ runId: 'r2' })] }))).toThrow(/pair 50\/301 twice/);
  });

  it('lists a company’s left-behind pairs for the unmap answer', () => {
    const pairs = [owned({ serviceId: 302 }), owned(), owned({ pbCompanyId: 'c2', contractId: 60 }), owned({ serviceId: 303, units: 0 })];
    expect(leftBehindOf('c1', pairs)).toEqual([{ contractId: 50, serviceId: 301, units: 10 }, { contractId: 50, serviceId: 302, units: 10 }]);
  });
});

describe('ownership: properties', () => {
  const contracts = [50, 60, 70];
  const services = [301, 302, 303];
  const products = ['std', 'adv', 'ent'];
  const companyIds = ['c1', 'c2', 'c3', 'c4'];
  const arbInput: fc.Arbitrary<OwnershipInput> = fc
    .record({
      owned: fc.uniqueArray(
        fc.record({
          contractId: fc.constantFrom(...contracts),
          serviceId: fc.constantFrom(...services),
          units: fc.integer({ min: 1, max: 500 }),
          pbCompanyId: fc.constantFrom(...companyIds),
          productIds: fc.uniqueArray(fc.constantFrom(...products), { minLength: 1, maxLength: 3 }),
        }),
        { selector: (p) => pairKey(p), maxLength: 9 }
      ),
      companies: fc.uniqueArray(
        fc.record({ pbCompanyId: fc.constantFrom(...companyIds), contractId: fc.option(fc.constantFrom(...contracts), { nil: null }), excluded: fc.boolean() }),
        { selector: (c) => c.pbCompanyId }
      ),
      productServices: fc.array(fc.tuple(fc.constantFrom(...products), fc.option(fc.constantFrom(...services, 305), { nil: null })), { maxLength: 4 }),
      pendingReleases: fc.array(fc.record({ contractId: fc.constantFrom(...contracts), serviceId: fc.constantFrom(...services) }), { maxLength: 4 }),
      liveContracts: fc.subarray(contracts),
      billingCompanies: fc.subarray(companyIds),
    })
    .map((r) => ({
      owned: r.owned.map((p) => ({ ...p, effectiveDate: '2026-11-01', runId: 'r1' })),
      // An excluded company holds no contract (excluding clears the mapping).
      companies: r.companies.map((c) => ({ ...c, pbCompanyName: c.pbCompanyId, contractId: c.excluded ? null : c.contractId })),
      productServices: new Map(r.productServices),
      pendingReleases: r.pendingReleases,
      liveContracts: new Set(r.liveContracts),
      billingCompanies: new Set(r.billingCompanies),
    }));

  const writes = (d: PairDecision) => d.kind === 'keep' || d.kind === 'move' || d.kind === 'release';
  const holdersOf = (i: OwnershipInput, contractId: number) => i.companies.filter((c) => c.contractId === contractId && !c.excluded);

  it('decides exactly once per owned pair, and no pair is owned by two mappings', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const decisions = decideOwnership(i);
        expect(decisions.map((d) => pairKey(d.pair))).toEqual(i.owned.map(pairKey));
        for (const d of decisions.filter((x) => x.kind === 'keep')) {
          // The keeper maps that contract, and is the only company that does.
          expect(holdersOf(i, d.pair.contractId).map((c) => c.pbCompanyId)).toEqual([d.pbCompanyId]);
        }
      }),
      { numRuns: 500 }
    );
  });

  it('gives every owned pair of a still-billed mapping exactly one target', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const decisions = decideOwnership(i);
        for (const d of decisions) {
          const holders = holdersOf(i, d.pair.contractId);
          const billed = holders.length === 1 && [...i.productServices.values()].includes(d.pair.serviceId);
          if (billed) expect(d.kind).toBe('keep');
          const zeroes = zeroWrites(decisions).filter((z) => pairKey(z) === pairKey(d.pair));
          expect(zeroes.length + (d.kind === 'keep' ? 1 : 0)).toBe(writes(d) ? 1 : 0);
        }
      }),
      { numRuns: 500 }
    );
  });

  it('always zeroes the old pair of a move, and never writes for a stop or a hold', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const decisions = decideOwnership(i);
        const zeroed = new Set(zeroWrites(decisions).map(pairKey));
        for (const d of decisions) {
          const owner = i.companies.find((c) => c.pbCompanyId === d.pair.pbCompanyId);
          // The owner billed elsewhere now, on a live old contract nobody else maps: a move.
          const movedAway = owner && owner.contractId !== null && owner.contractId !== d.pair.contractId && holdersOf(i, d.pair.contractId).length === 0 && holdersOf(i, owner.contractId).length === 1 && i.liveContracts.has(d.pair.contractId);
          // …to a live contract: a move. To one that takes no units: held, never zeroed.
          if (movedAway) expect(d).toMatchObject(i.billingCompanies.has(owner.pbCompanyId) ? { kind: 'move', reason: 'moved_contract', to: 0 } : { kind: 'hold', reason: 'contract_not_live' });
          // Still on that contract alone, no product on the service, one of its products billed elsewhere.
          const serviceMoved = owner && owner.contractId === d.pair.contractId && holdersOf(i, d.pair.contractId).length === 1 && ![...i.productServices.values()].includes(d.pair.serviceId) && d.pair.productIds.some((p) => typeof i.productServices.get(p) === 'number') && i.liveContracts.has(d.pair.contractId);
          if (serviceMoved) expect(d).toMatchObject({ kind: 'move', reason: 'moved_service', to: 0 });
          if (d.kind === 'move') expect(zeroed.has(pairKey(d.pair))).toBe(true);
          if (d.kind === 'stop' || d.kind === 'hold' || d.kind === 'lapsed') expect(zeroed.has(pairKey(d.pair))).toBe(false);
          if (d.kind === 'release') expect(i.pendingReleases.map(pairKey)).toContain(pairKey(d.pair));
        }
        const left = [...leftBehindByCompany(decisions).values()].flat().map(pairKey);
        expect(left.filter((k) => zeroed.has(k))).toEqual([]);
      }),
      { numRuns: 500 }
    );
  });

  it('never writes to a contract a shared mapping touches', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        for (const d of decideOwnership(i)) {
          const owner = i.companies.find((c) => c.pbCompanyId === d.pair.pbCompanyId);
          const ownerShared = owner?.contractId != null && holdersOf(i, owner.contractId).length > 1;
          const pairHolders = holdersOf(i, d.pair.contractId).length;
          if (pairHolders > 1 || (ownerShared && pairHolders === 0)) expect(d.kind).toBe('hold');
        }
      }),
      { numRuns: 500 }
    );
  });
});

/** Match suggestions (issue 17): exact normalised names first, then a fuzzy score with its reason. */
import { describe, expect, it } from 'vitest';
import { createNameMatcher, normaliseCompanyName } from '../../sync/company-match.ts';
import { proposeContract } from '../../sync/contract-proposal.ts';

describe('normaliseCompanyName', () => {
  it.each([
    ['Acme Dental, LLC', 'acme dental'],
    ['ACME DENTAL L.L.C.', 'acme dental'],
    ['Acme Dental Inc.', 'acme dental'],
    ['Acme Dental Ltd', 'acme dental'],
    ['Müller Zahnärzte GmbH', 'muller zahnarzte'],
    ['The Acme Dental Co. Ltd', 'acme dental'],
    ['Smith & Sons', 'smith and sons'],
    ["O'Neil Law Group, P.C.", 'oneil law group'],
    ['Company', 'company'],
  ])('%s → %s', (name, key) => {
    expect(normaliseCompanyName(name).key).toBe(key);
  });

  it('keeps words that are not legal suffixes, wherever they are', () => {
    expect(normaliseCompanyName('Acme Dental (HQ)').key).toBe('acme dental hq');
    expect(normaliseCompanyName('Incline Village Dental').key).toBe('incline village dental');
  });
});

describe('createNameMatcher', () => {
  const match = createNameMatcher([
    { id: 1, name: 'Acme Dental, LLC' },
    { id: 2, name: 'Acme Dental (HQ)' },
    { id: 3, name: 'Bluebird Law group Inc.' },
    { id: 4, name: 'Cedar Realty' },
    { id: 5, name: 'Acme Veterinary' },
  ]);

  it('finds the exact normalised name first and alone, saying what it ignored', () => {
    expect(match('Acme Dental')).toEqual([{ id: 1, name: 'Acme Dental, LLC', kind: 'exact', score: 1, reason: "Same name apart from case, punctuation and the legal suffix 'llc'" }]);
    expect(match('BLUEBIRD LAW GROUP')).toEqual([expect.objectContaining({ id: 3, kind: 'exact', reason: "Same name apart from case, punctuation and the legal suffix 'inc'" })]);
    expect(match('Cedar Realty')[0]!.reason).toBe('Same name');
  });

  it('scores similar names with the words that differ', () => {
    const found = match('Acme Dentl (HQ)');
    expect(found[0]).toMatchObject({ id: 2, kind: 'fuzzy' });
    expect(found[0]!.score).toBeGreaterThanOrEqual(0.55);
    expect(found[0]!.score).toBeLessThan(1);
    expect(found[0]!.reason).toMatch(/^Similar name \(\d+%\); only in Password Boss: 'dentl'; only in Autotask: 'dental'$/);
  });

  it('suggests nothing for an unrelated name', () => {
    expect(match('Zenith Logistics')).toEqual([]);
    expect(match('!!!')).toEqual([]);
  });

  it('still finds a match when every word is common among thousands of companies', () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ id: i, name: `Dental Clinic ${i}` }));
    const m = createNameMatcher([...many, { id: 99_999, name: 'Dental Clinic' }]);
    expect(m('Dental Clinic, Inc.')[0]).toMatchObject({ id: 99_999, kind: 'exact' });
    expect(m('Dental Clinics')[0]).toMatchObject({ kind: 'fuzzy' });
  });
});

describe('proposeContract', () => {
  const today = '2026-11-29';
  const rs = (id: number, over: Partial<{ companyID: number; contractType: number; endDate: string | null; startDate: string | null }> = {}) => ({ id, companyID: 10, contractName: `C${id}`, contractType: 7, startDate: '2026-01-01', endDate: null, ...over });

  it('proposes the single live Recurring Service contract', () => {
    expect(proposeContract([rs(1), rs(2, { contractType: 1 }), rs(3, { endDate: '2026-10-31' })], 10, today, new Map())).toEqual({ contract: { id: 1, name: 'C1' }, note: null });
  });

  it('proposes nothing when there is none, several, or it is taken, and says why', () => {
    expect(proposeContract([rs(2, { contractType: 1 })], 10, today, new Map())).toEqual({ contract: null, note: expect.stringMatching(/^No live Recurring Service contract/) });
    expect(proposeContract([rs(1), rs(2)], 10, today, new Map())).toEqual({ contract: null, note: '2 live Recurring Service contracts: open the company and pick one' });
    expect(proposeContract([rs(1)], 10, today, new Map([[1, 'Acme Dental']]))).toEqual({ contract: null, note: "Its live Recurring Service contract is already mapped to 'Acme Dental'" });
    expect(proposeContract([rs(1), rs(2)], 10, today, new Map([[1, 'Acme Dental']])).contract).toBeNull();
  });
});

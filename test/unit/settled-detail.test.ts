import { describe, expect, it } from 'vitest';
import { settledDetail } from '../../sync/settled-detail.ts';

describe('settledDetail', () => {
  it('drops the promise of a retry and says that the next sync tries again', () => {
    expect(settledDetail('Password Boss answered 500; the sync retries automatically')).toBe('Password Boss answered 500 — the sync gave up after retrying; the next sync tries again');
    expect(settledDetail("Autotask's hourly request limit was reached while querying Contracts; the sync waits and retries")).toBe("Autotask's hourly request limit was reached while querying Contracts — the sync gave up after retrying; the next sync tries again");
    expect(settledDetail('could not take one of the 3 Autotask request slots the workers share (x); nothing was sent to Autotask and the sync retries automatically — check that the database is reachable'))
      .toBe('could not take one of the 3 Autotask request slots the workers share (x); nothing was sent to Autotask — check that the database is reachable — the sync gave up after retrying; the next sync tries again');
  });

  it('keeps a company\'s own "gave up" ending, and leaves other details alone', () => {
    expect(settledDetail('Autotask answered 503 while querying ContractServiceUnits; the sync retries automatically — the sync gave up on this company for now; the next sync tries again'))
      .toBe('Autotask answered 503 while querying ContractServiceUnits — the sync gave up on this company for now; the next sync tries again');
    expect(settledDetail("Contract 'Acme Recurring' ended on 2026-09-30 — pick the renewed contract")).toBe("Contract 'Acme Recurring' ended on 2026-09-30 — pick the renewed contract");
    expect(settledDetail(null)).toBeNull();
  });
});

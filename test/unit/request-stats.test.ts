import { describe, expect, it } from 'vitest';
import { batchSizeBuckets, classifyRequests } from '../../bench/request-stats.ts';
import { q, query } from '../../integrations/autotask/query.ts';

const base = '/zone-1/atservicesrest/v1.0';
const post = (path: string, body: unknown) => ({ at: 0, method: 'POST', path: `${base}${path}`, status: 200, body });

describe('where a run\'s Autotask requests go', () => {
  it('tells the reads apart by their filters and sizes the confirm batches', () => {
    const stats = classifyRequests([
      { at: 0, method: 'GET', path: '/atservicesrest/v1.0/zoneInformation', status: 200 },
      { at: 0, method: 'GET', path: `${base}/ThresholdInformation`, status: 200 },
      post('/Contracts/query', query([q.gt('lastModifiedDateTime', '2026-11-01T00:00:00Z')])),
      post('/Contracts/query', query([q.in('id', [1, 2])])),
      post('/ContractServiceUnits/query', query([q.in('contractID', [1, 2]), q.lte('startDate', 'x'), q.gte('endDate', 'x')])),
      { at: 0, method: 'GET', path: `${base}/ContractServiceUnits/query`, status: 200 },
      post('/ContractServiceAdjustments', { contractID: 1 }),
      post('/ContractServiceAdjustments', { contractID: 2 }),
      post('/ContractServiceUnits/query', query([q.in('contractID', [1, 2]), q.in('serviceID', [301])])),
      post('/ContractServiceUnits/query', query([q.in('contractID', [3]), q.or(q.in('serviceID', [301]), q.in('serviceID', [302]))])),
      post('/ContractServiceUnits/query', query([q.eq('contractID', 1), q.eq('serviceID', 301)])),
      post('/Services/query', query([q.in('id', [301])])),
    ]);
    expect(stats.total).toBe(11);
    expect(Object.fromEntries(stats.byKind)).toEqual({
      threshold: 1,
      'contracts modified since': 1,
      'contracts by id': 1,
      'units, planning (by contract)': 1,
      'next page': 1,
      adjustment: 2,
      'units, confirm batch': 2,
      'units, one pair (retry, pending, lone confirm)': 1,
      services: 1,
    });
    expect(stats.confirmBatchSizes).toEqual([2, 1]);
  });

  it('buckets batch sizes', () => {
    expect(batchSizeBuckets([1, 2, 9, 10, 49, 50, 200, 500]).map((b) => b.batches)).toEqual([1, 2, 2, 1, 2]);
  });
});

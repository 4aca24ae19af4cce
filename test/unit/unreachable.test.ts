import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { unreachableDependency } from '../../api/plugins/unreachable.ts';

const failedQuery = (code: string) => new DrizzleQueryError('select 1', [], Object.assign(new Error(`database said ${code}`), { code }));

describe('which failures mean a dependency is unreachable (503), not a bug (500)', () => {
  it('a query that lost its connection or met a shutting-down database', () => {
    for (const code of ['ECONNREFUSED', 'CONNECTION_CLOSED', '08000', '08001', '08003', '08004', '08006', '57P01', '57P03']) {
      expect(unreachableDependency(failedQuery(code)), code).toEqual({ dependency: 'database', code });
    }
  });

  it('not a query the database refused, nor a protocol violation (our bug)', () => {
    for (const code of ['08P01', '08007', '23505', '22001', '40001', '57014']) expect(unreachableDependency(failedQuery(code)), code).toBeUndefined();
  });

  it('a connection code only from a query (an outgoing HTTP call is not the database)', () => {
    expect(unreachableDependency(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  });

  it('Temporal unavailable or past its deadline', () => {
    const grpc = (code: number) => Object.assign(new Error('grpc'), { code, details: 'no connection', metadata: {} });
    expect(unreachableDependency(grpc(14))).toEqual({ dependency: 'temporal', code: 'no connection' });
    expect(unreachableDependency(grpc(4))?.dependency).toBe('temporal');
    expect(unreachableDependency(grpc(3))).toBeUndefined();
  });
});

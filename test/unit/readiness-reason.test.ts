import { describe, expect, it } from 'vitest';
import { publicReason } from '../../api/routes/health.ts';

const withCode = (message: string, code: unknown, cause?: unknown) => Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });

describe('what /readyz tells anyone', () => {
  it('names a database failure by its code, never by its message', () => {
    expect(publicReason(withCode('connect ECONNREFUSED 10.0.4.7:5432', 'ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(publicReason(withCode('password authentication failed for user "billing_admin"', '28P01'))).toBe('28P01');
    expect(publicReason(new Error('wrapped', { cause: withCode('database "prod_secret" does not exist', '3D000') }))).toBe('3D000');
  });

  it('names a Temporal failure by its gRPC status', () => {
    const grpc = Object.assign(new Error('14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED temporal.internal:7233'), { code: 14, details: 'No connection established', metadata: {} });
    expect(publicReason(grpc)).toBe('Temporal: UNAVAILABLE');
    expect(publicReason(Object.assign(new Error('x'), { code: 9, details: 'd', metadata: {} }))).toBe('Temporal: gRPC status 9');
  });

  it('keeps anything else to the log', () => {
    expect(publicReason(new Error('/var/lib/app/.data/pglite: permission denied'))).toBe('not ready: the service log says why');
    expect(publicReason(withCode('odd', 'lower case or spaces are not codes'))).toBe('not ready: the service log says why');
    expect(publicReason('a string')).toBe('not ready: the service log says why');
  });
});

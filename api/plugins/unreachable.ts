/**
 * Failures that mean a dependency cannot be reached right now, not that this service is broken:
 * the database restarting or gone (postgres.js connection codes, SQLSTATE class 08's connection
 * failures and the shutdown codes 57P01-57P03; not 08P01, a protocol violation, which is a bug)
 * or Temporal not answering (gRPC UNAVAILABLE or DEADLINE_EXCEEDED). The API answers those 503
 * with what to do, as /readyz does, instead of a 500 that reads as a bug.
 */
import { isGrpcServiceError } from '@temporalio/client';
import { DrizzleQueryError } from 'drizzle-orm/errors';

export type Dependency = 'database' | 'temporal';

const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);
const databaseDown = (code: string) => connectionCodes.has(code) || /^08(000|001|003|004|006)$/.test(code) || /^57P0[123]$/.test(code);
/** gRPC status codes: 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED. */
const temporalDown = new Set([14, 4]);

/**
 * Which dependency the error says is unreachable, looking through its causes, with the code that
 * says so (for the log: never the query or its values); undefined for anything else.
 */
export function unreachableDependency(err: unknown): { dependency: Dependency; code: string } | undefined {
  let sawQuery = false;
  for (const current of causeChain(err)) {
    if (isGrpcServiceError(current) && temporalDown.has(current.code)) return { dependency: 'temporal', code: current.details || String(current.code) };
    if (current instanceof DrizzleQueryError) sawQuery = true;
    const code = stringCode(current);
    if (sawQuery && code && databaseDown(code)) return { dependency: 'database', code };
  }
  return undefined;
}

/** An error and its causes, outermost first (at most six: a cycle of causes cannot hold us). */
export function* causeChain(err: unknown): Generator<Error> {
  let current: unknown = err;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    yield current;
    current = current.cause;
  }
}

/** The `code` a Node, postgres.js or PostgreSQL error carries, when it is text. */
export const stringCode = (err: Error): string | undefined => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
};

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from '@fastify/type-provider-zod';
import { RunFinishingError } from '../../temporal/sync-starter.ts';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { ApiError, type ErrorBody } from '../errors.ts';
import { staticSecurityHeaders } from './security-headers.ts';
import { stringCode, unreachableDependency } from './unreachable.ts';

const body = (code: string, message: string, details?: unknown): ErrorBody => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

/** Maps every failure to the shared error shape; only real faults become 500, logged with the request id. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof ApiError) {
      return reply.code(err.statusCode).send(body(err.code, err.message, err.details));
    }
    if (err instanceof RunFinishingError) {
      return reply.code(409).header('retry-after', '60').send(body('run_finishing', err.message));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({
        in: err.validationContext ?? 'body',
        path: v.instancePath.replace(/^\//, '').replace(/\//g, '.') || null,
        message: v.message ?? 'invalid',
      }));
      return reply.code(400).send(body('invalid_request', `the request ${err.validationContext ?? 'body'} is invalid: ${details.map((d) => `${d.path ?? d.in}: ${d.message}`).join('; ')}`, details));
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err: { message: err.message, issues: err.cause.issues } }, 'response did not match its schema');
      return reply.code(500).send(body('internal', `internal error (request ${request.id})`));
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'payload_too_large'
        : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type'
        : 'invalid_request';
      const message = err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'the request body is empty but JSON was declared'
        : err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? 'the request body is not valid JSON'
        : err.message;
      return reply.code(status).send(body(code, message));
    }
    const down = unreachableDependency(err);
    if (down) {
      request.log.warn(down, 'request failed: a dependency is unreachable');
      const what = down.dependency === 'database' ? 'The database' : 'Temporal';
      return reply.code(503).header('retry-after', '5').send(body(`${down.dependency}_unavailable`, `${what} cannot be reached right now; try again in a few seconds (GET /readyz says when it is back)`));
    }
    request.log.error({ err: withoutQueryValues(err) }, 'request failed');
    return reply.code(500).send(body('internal', `internal error; quote request id ${request.id} when reporting it`));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(body('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}

/**
 * Fastify's `frameworkErrors`: the router refuses a path before any hook runs (a segment that is
 * not valid percent-encoded UTF-8, or longer than MAX_PATH_PARAM_LENGTH), and by default answers
 * in its own body shape without our headers. Same shape, security headers and request id as
 * every other answer; the path is not echoed (it may be kilobytes long).
 */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const status = tooLong ? 414 : (err.statusCode ?? 400);
  if (status >= 500) request.log.error({ err }, 'request failed in the router');
  const answer = tooLong ? body('uri_too_long', 'a path segment is longer than any id the API takes; check the id')
    : status >= 500 ? body('internal', `internal error; quote request id ${request.id} when reporting it`)
    : body('invalid_request', 'the path is not valid percent-encoded UTF-8; encode each id with encodeURIComponent');
  void reply.code(status).headers({ ...staticSecurityHeaders, 'x-request-id': request.id }).send(answer);
}

/** A failed query as the log sees it: its statement and the database's error, without values. */
class FailedQuery extends Error {
  constructor(message: string, readonly query: string, readonly code: string | undefined, stack: string | undefined) {
    super(message);
    this.name = 'FailedQuery';
    if (stack) this.stack = stack;
  }
}

/**
 * A failed query, for the log: drizzle writes the query's values into its message and stack
 * (webhook URLs, e-mail addresses, names), so the log gets the statement, the database's own error
 * and its code instead. Anything else is logged as it is.
 */
export function withoutQueryValues(err: unknown): unknown {
  if (!(err instanceof DrizzleQueryError)) return err;
  const cause = err.cause instanceof Error ? err.cause : undefined;
  return new FailedQuery(`query failed: ${cause?.message ?? 'no cause given'}`, err.query, cause && stringCode(cause), cause?.stack);
}

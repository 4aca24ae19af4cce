import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { isGrpcServiceError } from '@temporalio/client';
import { z } from 'zod';
import { causeChain, stringCode } from '../plugins/unreachable.ts';

export interface HealthDeps {
  checks: Record<string, () => Promise<void>>;
}

const readySchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), error: z.string().optional() })),
});

/** A check that did not answer in time (its message is ours, so it may be shown). */
class CheckTimeout extends Error {}

/** gRPC status codes a Temporal check may fail with, by name. */
const grpcNames: Record<number, string> = { 4: 'DEADLINE_EXCEEDED', 7: 'PERMISSION_DENIED', 14: 'UNAVAILABLE', 16: 'UNAUTHENTICATED' };

/**
 * What /readyz may tell anyone who asks (it needs no key): the failure's code, such as
 * ECONNREFUSED, 28P01 or UNAVAILABLE, never its message, which names hosts, database users and
 * paths. The whole message goes to the log.
 */
export function publicReason(err: unknown): string {
  for (const current of causeChain(err)) {
    if (current instanceof CheckTimeout) return current.message;
    if (isGrpcServiceError(current)) return `Temporal: ${grpcNames[current.code] ?? `gRPC status ${current.code}`}`;
    const code = stringCode(current);
    if (code && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  }
  return 'not ready: the service log says why';
}

/** /healthz: the process is up. /readyz: every dependency answers, else 503 with a code for each that does not. */
const healthRoutes: FastifyPluginAsyncZod<HealthDeps> = async (app, { checks }) => {
  app.get('/healthz', { schema: { tags: ['operations'], response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', { schema: { tags: ['operations'], response: { 200: readySchema, 503: readySchema } } }, async (req, reply) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 3_000);
          return [name, { ok: true }] as const;
        } catch (err) {
          req.log.warn({ check: name, reason: (err as Error).message.split('\n')[0]!.slice(0, 300) }, 'readiness check failed');
          return [name, { ok: false, error: publicReason(err) }] as const;
        }
      })
    );
    const ready = results.every(([, r]) => r.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
  });
};

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new CheckTimeout(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e))
    );
  });
}

export default healthRoutes;

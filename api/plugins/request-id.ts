/**
 * Request ids: an incoming `X-Request-Id` is kept when it is short and made of safe characters (so
 * a caller's id can be followed through our logs, and a hostile one cannot forge log structure),
 * else a UUID is made. Either way it is every log line's `reqId` and is echoed in the answer.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const safeId = /^[A-Za-z0-9._:-]{1,64}$/;

/** Fastify's genReqId: the caller's id when it is safe, a new UUID otherwise. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && safeId.test(given) ? given : randomUUID();
}

export default fp(
  async function requestId(app: FastifyInstance) {
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
  },
  { name: 'request-id' }
);

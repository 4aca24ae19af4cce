/**
 * PostgreSQL cannot store the NUL character in text, so a `\u0000` in any path, query or body
 * string would reach the database and fail there as a 500. Refuse it up front as bad input.
 * (Found by the schemathesis fuzz run.)
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { badRequest } from '../errors.ts';

function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const hit = findNul(item, `${path}[${i}]`);
      if (hit) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const hit = findNul(k, path) ?? findNul(v, path ? `${path}.${k}` : k);
      if (hit) return hit;
    }
  }
  return null;
}

export default fp(
  async function rejectNul(app: FastifyInstance) {
    app.addHook('preValidation', async (request) => {
      for (const [where, value] of [['path', request.params], ['query', request.query], ['body', request.body]] as const) {
        const hit = findNul(value, '');
        if (hit !== null) throw badRequest(`the request ${where} contains a NUL character${hit ? ` (${hit})` : ''}, which is not allowed`, [{ in: where, path: hit || null, message: 'NUL character' }]);
      }
    });
  },
  { name: 'reject-nul' }
);

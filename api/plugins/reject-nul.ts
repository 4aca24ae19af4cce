/**
 * PostgreSQL cannot store the NUL character in text, so a `\u0000` in any path, query or body
 * string would reach the database and fail there as a 500. Refuse it up front as bad input.
 * (Found by the schemathesis fuzz run.) Half a UTF-16 surrogate pair (JSON may escape one,
 * "\ud800") is no text either: encodeURIComponent throws on it (a 500 when a company id went to
 * Password Boss) and the database would store U+FFFD instead. The same walk refuses absurdly
 * deep nesting.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { badRequest } from '../errors.ts';

/** No request the API accepts nests deeper than a few levels; far deeper input is refused as such. */
export const MAX_DEPTH = 64;

/** With the u flag a whole pair is one code point, so only half a pair matches (String#isWellFormed is ES2024). */
const loneSurrogate = /\p{Cs}/u;

export type Finding = { kind: 'nul'; path: string } | { kind: 'lone_surrogate'; path: string } | { kind: 'too_deep'; path: string };

/**
 * The first string (or object key) holding a NUL, or the first value nested deeper than
 * MAX_DEPTH. Iterative with an explicit stack: a body nested 60,000 levels deep used to overflow
 * the call stack of a recursive walk (a 500).
 */
export function inspect(root: unknown): Finding | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { kind: 'nul', path };
      if (loneSurrogate.test(value)) return { kind: 'lone_surrogate', path };
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) return { kind: 'too_deep', path };
    const entries = Array.isArray(value) ? value.map((v, i) => [`${path}[${i}]`, v] as const) : Object.entries(value).map(([k, v]) => {
      return [path ? `${path}.${k}` : k, v, k] as const;
    });
    // Pushed in reverse so the walk reports the first offending field in document order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [childPath, child, key] = entries[i] as readonly [string, unknown, string?];
      stack.push({ value: child, path: childPath, depth: depth + 1 });
      if (key !== undefined) stack.push({ value: key, path, depth: depth + 1 });
    }
  }
  return null;
}

export default fp(
  async function rejectNul(app: FastifyInstance) {
    app.addHook('preValidation', async (request) => {
      for (const [where, value] of [['path', request.params], ['query', request.query], ['body', request.body]] as const) {
        const found = inspect(value);
        if (found?.kind === 'nul') throw badRequest(`the request ${where} contains a NUL character${found.path ? ` (${found.path})` : ''}, which is not allowed`, [{ in: where, path: found.path || null, message: 'NUL character' }]);
        if (found?.kind === 'lone_surrogate') throw badRequest(`the request ${where} contains half a UTF-16 surrogate pair${found.path ? ` (${found.path})` : ''}, which is not text; send the whole character`, [{ in: where, path: found.path || null, message: 'lone surrogate' }]);
        if (found?.kind === 'too_deep') throw badRequest(`the request ${where} is nested more than ${MAX_DEPTH} levels deep${found.path ? ` (at ${found.path.slice(0, 120)})` : ''}; no request needs that`, [{ in: where, path: null, message: 'nested too deeply' }]);
      }
    });
  },
  { name: 'reject-nul' }
);

/**
 * Bearer keys: the admin key (ADMIN_API_KEY) manages partners; a partner key reaches only its
 * own partner. Another partner's resources answer 404, exactly like ones that do not exist.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/client.ts';
import { findActiveKey } from '../../db/repositories/api-keys.ts';
import { findSettings } from '../../db/repositories/autotask-settings.ts';
import { findPartner, type Partner } from '../../db/repositories/partners.ts';
import { ApiError, notFound, notSavedYet } from '../errors.ts';

/**
 * Who is calling. A partner key arrives with its partner and whether the integration was saved,
 * read in the same query as the key, so partner routes need no second lookup.
 */
export type Principal = { kind: 'admin' } | { kind: 'partner'; keyId: string; partner: Partner; configured: boolean };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** `admin`: only the admin key may call the route (decided before the body is read). */
    access?: 'admin';
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Whether the matched route is part of the API (or an admin-only route outside it: /metrics). Decided on the route the router matched, never
 * on the raw URL: `/%76%31/me` and absolute-form targets (`GET http://host/v1/me`) match `/v1`
 * routes without their URL starting with `/v1/`.
 */
const isApiRoute = (request: FastifyRequest) => request.routeOptions.url?.startsWith('/v1/') === true || request.routeOptions.config.access === 'admin';

export default fp(
  async function auth(app: FastifyInstance, opts: { db: Db; adminApiKey: string }) {
    const adminDigest = digest(opts.adminApiKey);
    app.decorateRequest('principal', null);

    async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
      const header = request.headers.authorization;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
      // An address that keeps failing gets 429 instead of 401 for its failures. A valid key is
      // never refused: behind a reverse proxy every client shares the proxy's address, and
      // refusing the address outright let anyone with a few bad keys lock every partner out.
      const failed = async (reason: Record<string, string>, message: string): Promise<never> => {
        await app.limits.assertAuthenticationAllowed(request, reply);
        request.log.info(reason, 'authentication failed');
        await app.limits.countFailedAuthentication(request);
        throw new ApiError(401, 'unauthorized', message);
      };
      if (!match) return failed({ reason: header ? 'malformed' : 'missing' }, 'send `Authorization: Bearer <api key>`');
      const key = match[1]!;
      // Compare digests so the comparison takes the same time whatever the key's length.
      if (timingSafeEqual(digest(key), adminDigest)) return { kind: 'admin' };
      const found = await findActiveKey(opts.db, key);
      if (!found) return failed({ reason: 'unknown or revoked key', keyPrefix: key.slice(0, 5) }, 'the API key is unknown or revoked; ask your administrator for a new one');
      return { kind: 'partner', keyId: found.keyId, partner: found.partner, configured: found.configured };
    }

    // onRequest: the route is matched and its path parameters known, the body not yet read, so
    // who may call is settled before any input is parsed or validated.
    app.addHook('onRequest', async (request, reply) => {
      if (!isApiRoute(request)) return;
      const principal = await authenticate(request, reply);
      request.principal = principal;
      if (request.routeOptions.config.access === 'admin') {
        requireAdmin(request);
        return;
      }
      // Another partner's resource answers exactly like one that does not exist, whatever the body.
      const pid = (request.params as { pid?: unknown } | undefined)?.pid;
      if (principal.kind === 'partner' && typeof pid === 'string' && pid !== principal.partner.id) throw notFound(`partner '${pid}'`);
    });
  },
  { name: 'auth', dependencies: ['rate-limits'] }
);

/** Who is calling; a 401 (never a crash) if a route is reached without a principal. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ApiError(401, 'unauthorized', 'send `Authorization: Bearer <api key>`');
  return request.principal;
}

export function requireAdmin(request: FastifyRequest): void {
  if (principalOf(request).kind !== 'admin') {
    throw new ApiError(403, 'forbidden', 'this needs the admin API key');
  }
}

/** The partner a request may act on, or a 404 that does not reveal whether it exists. */
export async function requirePartner(db: Db, request: FastifyRequest, partnerId: string): Promise<Partner> {
  const p = principalOf(request);
  if (p.kind === 'partner' && p.partner.id !== partnerId) throw notFound(`partner '${partnerId}'`);
  if (p.kind === 'partner') return p.partner;
  const partner = await findPartner(db, partnerId);
  if (!partner) throw notFound(`partner '${partnerId}'`);
  return partner;
}

/** requirePartner, then a 409 until the partner's integration has been saved once. */
export async function requireConfiguredPartner(db: Db, request: FastifyRequest, partnerId: string): Promise<Partner> {
  const partner = await requirePartner(db, request, partnerId);
  const p = request.principal;
  const configured = p?.kind === 'partner' ? p.configured : (await findSettings(db, partnerId)) !== undefined;
  if (!configured) throw notSavedYet();
  return partner;
}

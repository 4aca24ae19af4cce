/**
 * Bearer keys: the admin key (ADMIN_API_KEY) manages partners; a partner key reaches only its
 * own partner. Another partner's resources answer 404, exactly like ones that do not exist.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export default fp(
  async function auth(app: FastifyInstance, opts: { db: Db; adminApiKey: string }) {
    const adminDigest = digest(opts.adminApiKey);
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/v1/')) return;
      const header = request.headers.authorization;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
      if (!match) {
        request.log.info({ reason: header ? 'malformed' : 'missing' }, 'authentication failed');
        throw new ApiError(401, 'unauthorized', 'send `Authorization: Bearer <api key>`');
      }
      const key = match[1]!;
      // Compare digests so the comparison takes the same time whatever the key's length.
      if (timingSafeEqual(digest(key), adminDigest)) {
        request.principal = { kind: 'admin' };
        return;
      }
      const found = await findActiveKey(opts.db, key);
      if (!found) {
        request.log.info({ reason: 'unknown or revoked key', keyPrefix: key.slice(0, 5) }, 'authentication failed');
        throw new ApiError(401, 'unauthorized', 'the API key is unknown or revoked; ask your administrator for a new one');
      }
      request.principal = { kind: 'partner', keyId: found.keyId, partner: found.partner, configured: found.configured };
    });
  },
  { name: 'auth' }
);

export function requireAdmin(request: FastifyRequest): void {
  if (request.principal?.kind !== 'admin') {
    throw new ApiError(403, 'forbidden', 'this needs the admin API key');
  }
}

/** The partner a request may act on, or a 404 that does not reveal whether it exists. */
export async function requirePartner(db: Db, request: FastifyRequest, partnerId: string): Promise<Partner> {
  const p = request.principal;
  if (!p || (p.kind === 'partner' && p.partner.id !== partnerId)) throw notFound(`partner '${partnerId}'`);
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

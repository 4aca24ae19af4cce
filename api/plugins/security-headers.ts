/**
 * Security headers on every answer (@fastify/helmet): a Content-Security-Policy that allows
 * scripts and styles from this origin only (the portal and /docs have no inline script or
 * style), no framing by anyone (clickjacking), and no Referer leaving the page (the portal's
 * URL is nobody else's business). JSON answers carry the same headers: harmless, and a browser
 * that is tricked into rendering one gets the same protection.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const contentSecurityPolicy = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * The same protection as static headers, for the answers Fastify sends before any hook runs (a
 * path the router cannot decode or match: `frameworkErrors` in error-handler.ts).
 */
export const staticSecurityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': Object.entries(contentSecurityPolicy).map(([name, values]) => `${name} ${values.join(' ')}`).join(';'),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export default fp(
  async function securityHeaders(app: FastifyInstance) {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      // Served over plain HTTP on loopback by default; HSTS belongs to the TLS proxy in front.
      strictTransportSecurity: false,
    });
  },
  { name: 'security-headers' }
);

/**
 * Serves the portal page at `/`: index.html is never cached (it names the current assets),
 * the hashed assets are cached for a year.
 */
import type { FastifyPluginAsync } from 'fastify';
import { buildPortal } from '../../web/build.ts';

const portalRoutes: FastifyPluginAsync = async (app) => {
  const portal = await buildPortal();
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(portal.index)
  );
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());
  app.get<{ Params: { file: string } }>('/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const asset = portal.assets.get(request.params.file);
    if (!asset) return reply.code(404).send({ error: { code: 'not_found', message: 'no such asset' } });
    return reply.type(asset.type).header('cache-control', 'public, max-age=31536000, immutable').send(asset.body);
  });
};

export default portalRoutes;

/**
 * Prometheus: every answer's latency by method, route pattern (never the raw URL: ids would make
 * the label set unbounded) and status; and GET /metrics, the process's registry (deps/metrics.ts),
 * for the admin key only, checked by the auth plugin before anything is read.
 */
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { httpRequestSeconds, observeIntegrations, registry } from '../../deps/metrics.ts';
import { errorBodySchema } from '../errors.ts';

const metrics: FastifyPluginAsyncZod = async (app) => {
  observeIntegrations();
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequestSeconds.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.get('/metrics', {
    config: { access: 'admin' },
    schema: {
      tags: ['operations'],
      operationId: 'getMetrics',
      summary: 'Prometheus metrics of this process (admin)',
      description: 'Text exposition format. Names start with `pbsync_`: runs and company syncs by status, adjustments, units changed, Autotask requests by endpoint and outcome, the tenant budget last read, HTTP latency. Under `npm start` the worker shares this process; a separate worker serves its own (and the Temporal SDK\'s) on METRICS_PORT.',
      response: { 200: z.string(), 401: errorBodySchema, 403: errorBodySchema },
    },
  }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
};

export default fp(metrics, { name: 'metrics', dependencies: ['auth'] });

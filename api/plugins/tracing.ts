/**
 * A server span per API request, continuing a `traceparent` the caller sent, and active while the
 * route's handler runs, so the Temporal client (a Sync now's workflow start) and outgoing HTTP
 * calls become its children. Registered only when tracing is on.
 *
 * The handler is wrapped (onRoute) rather than the context entered in a hook: a request's body
 * is read on socket events, which would lose a context entered in onRequest.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    span: Span | null;
  }
}

export default fp(
  async function tracing(app: FastifyInstance) {
    const tracer = trace.getTracer('pb-autotask-sync-api');
    app.decorateRequest('span', null);

    app.addHook('onRequest', async (request) => {
      const parent = propagation.extract(ROOT_CONTEXT, request.headers);
      const route = request.routeOptions.url ?? 'unmatched';
      request.span = tracer.startSpan(`${request.method} ${route}`, {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'http.route': route, 'pbsync.request_id': request.id },
      }, parent);
    });
    app.addHook('onResponse', async (request, reply) => {
      const span = request.span;
      if (!span) return;
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    app.addHook('onRoute', (route) => {
      const handler = route.handler as RouteHandlerMethod;
      route.handler = function traced(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
        const span = request.span;
        return span ? context.with(trace.setSpan(context.active(), span), () => handler.call(this, request, reply)) : handler.call(this, request, reply);
      };
    });
  },
  { name: 'tracing' }
);

/**
 * OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set (or a test passes its
 * own span processor): otherwise nothing is registered, every tracer stays the API's no-op, and no
 * interceptor is installed (zero cost). When on: a Node tracer provider with the W3C propagator
 * and AsyncLocalStorage context, outgoing undici requests (Autotask, Password Boss, webhooks) as
 * client spans, and spans exported over OTLP/HTTP in batches. The API, the Temporal client and the
 * worker add their own parts (api/plugins/tracing.ts, worker/create-worker.ts).
 */
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface Tracing {
  /** Where spans go: the worker hands workflow spans (made in the sandbox) to it too. */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Flushes what is buffered and stops. */
  shutdown(): Promise<void>;
}

export function startTracing(options: { endpoint?: string | undefined; serviceName: string; spanProcessor?: SpanProcessor }): Tracing | undefined {
  if (!options.endpoint && !options.spanProcessor) return undefined;
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName });
  const spanProcessor = options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/$/, '')}/v1/traces` }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const undo = registerInstrumentations({ tracerProvider: provider, instrumentations: [new UndiciInstrumentation()] });
  return {
    spanProcessor,
    resource,
    async shutdown() {
      undo();
      await provider.shutdown();
    },
  };
}

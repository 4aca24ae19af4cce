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
import { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Env } from '../config/env.ts';

export interface Tracing {
  /** Where spans go: the worker hands workflow spans (made in the sandbox) to it too. */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Flushes what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** The parent-based samplers of OpenTelemetry's OTEL_TRACES_SAMPLER (config/env.ts). */
export type SamplerName = 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

export interface SamplerChoice {
  name: SamplerName;
  /** For parentbased_traceidratio: the share of new traces kept, 0 to 1. */
  ratio: number;
}

/**
 * 5 % of new traces, each whole: a traced run costs the worker about 85 % more CPU per company
 * at zero Autotask latency, an untraced one nothing measurable, so sampling keeps the average
 * within issue 16's 5 %. `parentbased_always_on` traces every run (debugging one partner).
 */
export const defaultSampler: SamplerChoice = { name: 'parentbased_traceidratio', ratio: 0.05 };

/** A span continues its parent's decision; only a new trace is sampled by the choice. */
export function samplerFor(choice: SamplerChoice): Sampler {
  const root = choice.name === 'parentbased_always_off' ? new AlwaysOffSampler() : choice.name === 'parentbased_traceidratio' ? new TraceIdRatioBasedSampler(choice.ratio) : new AlwaysOnSampler();
  return new ParentBasedSampler({ root });
}

/**
 * Batches for the OTLP exporter. The SDK's default queue (2,048 spans) overflows, and drops
 * spans, while a 1,000-company run ends about ten spans a company within a minute; 8,192 holds
 * that burst (a few MB) while batches of 512 leave every second.
 */
const batching = { maxQueueSize: 8_192, maxExportBatchSize: 512, scheduledDelayMillis: 1_000 };

export function startTracing(options: { endpoint?: string | undefined; serviceName: string; sampler?: SamplerChoice; spanProcessor?: SpanProcessor }): Tracing | undefined {
  if (!options.endpoint && !options.spanProcessor) return undefined;
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName });
  const spanProcessor = options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/$/, '')}/v1/traces` }), batching);
  const provider = new NodeTracerProvider({ resource, sampler: samplerFor(options.sampler ?? defaultSampler), spanProcessors: [spanProcessor] });
  provider.register();
  // Outgoing calls outside any traced request or activity (start-up zone lookups) make no trace of their own.
  const undo = registerInstrumentations({ tracerProvider: provider, instrumentations: [new UndiciInstrumentation({ requireParentforSpans: true })] });
  return {
    spanProcessor,
    resource,
    async shutdown() {
      undo();
      await provider.shutdown();
    },
  };
}

/** Tracing as the environment asks (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG). */
export function tracingFromEnv(env: Pick<Env, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_TRACES_SAMPLER' | 'OTEL_TRACES_SAMPLER_ARG'>, serviceName: string): Tracing | undefined {
  return startTracing({ endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName, sampler: { name: env.OTEL_TRACES_SAMPLER, ratio: env.OTEL_TRACES_SAMPLER_ARG } });
}

/**
 * The sink through which workflow code (in the sandbox) hands its finished spans to the worker.
 * The Temporal interceptors serialize spans in OpenTelemetry SDK 1's shape (`parentSpanId`,
 * `instrumentationLibrary`); the processors here are SDK 2's (`parentSpanContext`,
 * `instrumentationScope`), so each span is translated on the way, or its parent link and scope
 * would be lost in export. With tracing off the sink drops them (a workflow only makes spans when
 * started with a trace context, see workflow-interceptors.ts).
 */
import type { Context } from '@opentelemetry/api';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker/index.js';
import type { InjectedSinks } from '@temporalio/worker';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Tracing } from '../runtime/tracing.ts';

type SdkOneSpan = ReadableSpan & { parentSpanId?: string; instrumentationLibrary?: ReadableSpan['instrumentationScope'] };

class SdkTwoShape implements SpanProcessor {
  constructor(private readonly inner: SpanProcessor) {}
  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    const old = span as SdkOneSpan;
    const context = span.spanContext();
    const adapted: ReadableSpan = Object.assign(Object.create(null) as object, span, {
      spanContext: () => context,
      parentSpanContext: span.parentSpanContext ?? (old.parentSpanId ? { traceId: context.traceId, spanId: old.parentSpanId, traceFlags: context.traceFlags, isRemote: false } : undefined),
      instrumentationScope: span.instrumentationScope ?? old.instrumentationLibrary ?? { name: '@temporalio/interceptor-workflow' },
    });
    this.inner.onEnd(adapted);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export function workflowSpanSinks(tracing: Tracing | undefined): InjectedSinks<Record<string, never>> {
  if (!tracing) return { exporter: { export: { fn: () => {} } } } as unknown as InjectedSinks<Record<string, never>>;
  return { exporter: makeWorkflowExporter(new SdkTwoShape(tracing.spanProcessor) as never, tracing.resource as never) } as unknown as InjectedSinks<Record<string, never>>;
}

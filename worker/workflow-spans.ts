/**
 * The sink through which workflow code (in the sandbox) hands its finished spans to the worker's
 * span processor. It stands in for the interceptor package's makeWorkflowExporter, for two reasons:
 *
 * - Shape: the sandbox's spans are OpenTelemetry SDK 1's (`parentSpanId`, `instrumentationLibrary`)
 *   and the processors here are SDK 2's (`parentSpanContext`, `instrumentationScope`); untranslated,
 *   a span's parent link and scope are lost in export.
 * - Weight: makeWorkflowExporter copies the whole WorkflowInfo (memo, search attributes, last result,
 *   retry policy, parent and root, …) into every workflow span's attributes, nested objects that
 *   the exporter serializes span after span. A workflow span gets its identity only, the same keys
 *   the Temporal client and activity spans use, plus the sync run it belongs to.
 *
 * With tracing off the sink drops everything (a workflow only makes spans when started with a
 * trace context, see workflow-interceptors.ts).
 */
import { createTraceState, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SerializableSpan } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions.js';
import type { InjectedSinks } from '@temporalio/worker';
import type { Sinks, WorkflowInfo } from '@temporalio/workflow';
import type { Tracing } from '../runtime/tracing.ts';

interface WorkflowSpanSinks extends Sinks {
  exporter: { export(spans: SerializableSpan[]): void };
}

/** Who made the span: what a tracing backend is searched by (docs/operations.md, "Its trace"). */
export function workflowSpanAttributes(info: WorkflowInfo): Attributes {
  const syncRun = info.memo?.runId;
  return {
    temporalWorkflowId: info.workflowId,
    run_id: info.runId,
    temporalWorkflowType: info.workflowType,
    // A traced companySync carries its run in the memo (workflow-interceptors.ts); partnerSync's run is its chain's first execution.
    'pbsync.run_id': typeof syncRun === 'string' ? syncRun : info.firstExecutionRunId,
  };
}

export function toReadableSpan(span: SerializableSpan, identity: Attributes, resource: Tracing['resource']): ReadableSpan {
  const { traceState, ...ids } = span.spanContext;
  const spanContext = { ...ids, ...(traceState ? { traceState: createTraceState(traceState) } : {}) };
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => spanContext,
    parentSpanContext: span.parentSpanId ? { traceId: ids.traceId, spanId: span.parentSpanId, traceFlags: ids.traceFlags, isRemote: false } : undefined,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: { ...span.attributes, ...identity },
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource,
    instrumentationScope: span.instrumentationLibrary ?? { name: '@temporalio/interceptor-workflow' },
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

export function workflowSpanSinks(tracing: Tracing | undefined): InjectedSinks<WorkflowSpanSinks> {
  return {
    exporter: {
      export: {
        fn: (info, spans) => {
          if (!tracing) return;
          const identity = workflowSpanAttributes(info);
          for (const span of spans) tracing.spanProcessor.onEnd(toReadableSpan(span, identity, tracing.resource));
        },
      },
    },
  };
}

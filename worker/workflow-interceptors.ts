/**
 * Workflow interceptors, bundled into the workflow code (bundle-options.ts), so they run in the
 * workflow sandbox: deterministic, no I/O.
 *
 * - Log lines from workflow code carry `partnerId` and `runId` (the sync run: sync_runs.id, the
 *   same across continue-as-new and in every company's workflow); Temporal's own execution run id
 *   stays as `temporalRunId`.
 * - Tracing: a workflow started with a sampled trace context in its headers (the API's Sync now,
 *   when tracing is on) gets OpenTelemetry's workflow interceptors, which continue the trace into
 *   its activities and children. A workflow whose trace was not sampled passes the context on
 *   unchanged (its activities and children follow the same decision, recording nothing). Any other
 *   workflow (tracing off, a schedule, a recorded history) runs without them: no spans, no cost,
 *   and replays exactly as before.
 *
 * OpenTelemetry's workflow modules are loaded only for a sampled trace. The worker's reusable V8
 * context evaluates a workflow's modules afresh for every execution, and the OpenTelemetry SDK
 * (semantic conventions, core, the tracer) was about a seventh of the workflow thread's CPU per
 * workflow when imported here up front, traced or not.
 */
import type * as OtelWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import { defaultPayloadConverter, workflowInfo, type StartChildWorkflowExecutionInput, type WorkflowInterceptors } from '@temporalio/workflow';
import type { Payload } from '@temporalio/common';

/** The header OpenTelemetry's interceptors carry the trace context in. */
const TRACE_HEADER = '_tracer-data';

/** Whether the W3C `traceparent` in the trace header asks for recording (trace-flags bit 0). */
export function isSampled(header: Payload): boolean {
  const carrier = defaultPayloadConverter.fromPayload<{ traceparent?: unknown }>(header);
  const flags = typeof carrier?.traceparent === 'string' ? /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-([\da-f]{2})$/.exec(carrier.traceparent)?.[1] : undefined;
  return flags !== undefined && (parseInt(flags, 16) & 1) === 1;
}

function loadOtel(): typeof OtelWorkflow {
  // A plain require: webpack evaluates the module here, at the first sampled workflow, not when
  // the bundle's interceptors are imported for every workflow.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@temporalio/interceptors-opentelemetry/lib/workflow/index.js') as typeof OtelWorkflow;
}

type Headers = Record<string, Payload>;

/**
 * The run a workflow belongs to, known before its code starts (the SDK logs "Workflow started"
 * first): the partner from the workflow id (`partner-sync/<pid>/…`, `company-sync/<pid>/…`); the
 * run from a company's input (`runId`, set by partnerSync), decoded only when a line is logged
 * before the workflow function has it, or from the memo that children started before 2026-12 and
 * traced children carry; for partnerSync, its chain's first execution.
 */
function runOf(firstArgument: Payload | undefined): { partnerId?: string; runId?: string } {
  const info = workflowInfo();
  const partnerId = /^(?:partner|company)-sync\/([^/]+)\//.exec(info.workflowId)?.[1];
  const memoRun = info.memo?.runId;
  const runId = typeof memoRun === 'string' ? memoRun : info.workflowType === 'partnerSync' ? info.firstExecutionRunId : runIdOf(firstArgument);
  return { ...(partnerId ? { partnerId } : {}), ...(runId ? { runId } : {}) };
}

function runIdOf(payload: Payload | undefined): string | undefined {
  if (!payload) return undefined;
  try {
    const arg = defaultPayloadConverter.fromPayload<{ runId?: unknown }>(payload);
    return typeof arg?.runId === 'string' ? arg.runId : undefined;
  } catch {
    // Not JSON, or not ours: the line goes out without the run rather than failing the workflow.
    return undefined;
  }
}

export function interceptors(): WorkflowInterceptors {
  const ids: { partnerId?: string; runId?: string } = {};
  let traced: { inbound: OtelWorkflow.OpenTelemetryInboundInterceptor; outbound: OtelWorkflow.OpenTelemetryOutboundInterceptor; internals: OtelWorkflow.OpenTelemetryInternalsInterceptor } | undefined;
  /** The workflow's first argument as it arrived, until the workflow function has decoded it. */
  let firstArgument: Payload | undefined;
  /** An unsampled trace's context, handed on as it came. */
  let passOn: Payload | undefined;
  /**
   * A traced start gives its child the run in the memo, where the span sink (workflow-spans.ts)
   * reads it; untraced children are spared it (it is written to history and visibility).
   */
  const withRunMemo = (input: StartChildWorkflowExecutionInput): StartChildWorkflowExecutionInput =>
    ids.runId ? { ...input, options: { ...input.options, memo: { ...input.options.memo, runId: ids.runId } } } : input;
  const withContext = <T extends { headers: Headers }>(input: T): T => (passOn ? { ...input, headers: { ...input.headers, [TRACE_HEADER]: passOn } } : input);
  return {
    inbound: [
      {
        async execute(input, next) {
          firstArgument = undefined;
          const arg = (input.args[0] ?? {}) as { partnerId?: unknown; runId?: unknown };
          if (typeof arg.partnerId === 'string') ids.partnerId = arg.partnerId;
          // companySync is given its run; partnerSync's run is its chain's first execution.
          ids.runId = typeof arg.runId === 'string' ? arg.runId : workflowInfo().firstExecutionRunId;
          const header = input.headers[TRACE_HEADER];
          if (header && isSampled(header)) {
            const otel = loadOtel();
            traced = { inbound: new otel.OpenTelemetryInboundInterceptor(), outbound: new otel.OpenTelemetryOutboundInterceptor(), internals: new otel.OpenTelemetryInternalsInterceptor() };
            return traced.inbound.execute(input, next);
          }
          passOn = header;
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => (traced ? traced.outbound.scheduleActivity(input, next) : next(withContext(input))),
        scheduleLocalActivity: (input, next) => (traced ? traced.outbound.scheduleLocalActivity(input, next) : next(withContext(input))),
        startChildWorkflowExecution: (input, next) => (traced ? traced.outbound.startChildWorkflowExecution(withRunMemo(input), next) : next(withContext(input))),
        continueAsNew: (input, next) => (traced ? traced.outbound.continueAsNew(input, next) : next(withContext(input))),
        getLogAttributes(input, next) {
          const { runId, ...rest } = input as { runId?: unknown };
          const attributes = { ...rest, ...(runId !== undefined ? { temporalRunId: runId } : {}), ...(ids.runId && ids.partnerId ? {} : runOf(firstArgument)), ...ids };
          return traced ? traced.outbound.getLogAttributes(attributes, next) : next(attributes);
        },
      },
    ],
    internals: [
      {
        activate(input, next) {
          // The first activation carries the workflow's input: kept undecoded for runOf.
          const init = input.activation.jobs?.[0]?.initializeWorkflow;
          if (init) firstArgument = init.arguments?.[0] ?? undefined;
          next(input);
        },
        dispose(input, next) {
          // OpenTelemetry's dispose is declared async but only disables its context manager, synchronously.
          if (traced) void traced.internals.dispose(input, next);
          else next(input);
        },
      },
    ],
  };
}

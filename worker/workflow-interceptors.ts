/**
 * Workflow interceptors, bundled into the workflow code (bundle-options.ts), so they run in the
 * workflow sandbox: deterministic, no I/O.
 *
 * - Log lines from workflow code carry `partnerId` and `runId` (the sync run: sync_runs.id, the
 *   same across continue-as-new and in every company's workflow); Temporal's own execution run id
 *   stays as `temporalRunId`.
 * - Tracing: a workflow started with a trace context in its headers (the API's Sync now, when
 *   tracing is on) gets OpenTelemetry's workflow interceptors, which continue the trace into its
 *   activities and children. Any other workflow (tracing off, a schedule, a recorded history)
 *   runs without them: no spans, no cost, and replays exactly as before.
 */
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import { workflowInfo, type WorkflowInterceptors } from '@temporalio/workflow';

/** The header OpenTelemetry's interceptors carry the trace context in. */
const TRACE_HEADER = '_tracer-data';

/**
 * The run a workflow belongs to, known before its code starts (the SDK logs "Workflow started"
 * first): the partner from the workflow id (`partner-sync/<pid>/…`, `company-sync/<pid>/…`); the
 * run from a company's memo (set by partnerSync) or, for partnerSync, its first execution. Read
 * per log line: the memo is decoded after the interceptors are made.
 */
function runOf(): { partnerId?: string; runId?: string } {
  const info = workflowInfo();
  const partnerId = /^(?:partner|company)-sync\/([^/]+)\//.exec(info.workflowId)?.[1];
  const memoRun = info.memo?.runId;
  const runId = typeof memoRun === 'string' ? memoRun : info.workflowType === 'partnerSync' ? info.firstExecutionRunId : undefined;
  return { ...(partnerId ? { partnerId } : {}), ...(runId ? { runId } : {}) };
}

export function interceptors(): WorkflowInterceptors {
  const ids: { partnerId?: string; runId?: string } = {};
  let traced: { inbound: OpenTelemetryInboundInterceptor; outbound: OpenTelemetryOutboundInterceptor; internals: OpenTelemetryInternalsInterceptor } | undefined;
  return {
    inbound: [
      {
        async execute(input, next) {
          const arg = (input.args[0] ?? {}) as { partnerId?: unknown; runId?: unknown };
          if (typeof arg.partnerId === 'string') ids.partnerId = arg.partnerId;
          // companySync is given its run; partnerSync's run is its chain's first execution.
          ids.runId = typeof arg.runId === 'string' ? arg.runId : workflowInfo().firstExecutionRunId;
          if (input.headers[TRACE_HEADER]) {
            traced = { inbound: new OpenTelemetryInboundInterceptor(), outbound: new OpenTelemetryOutboundInterceptor(), internals: new OpenTelemetryInternalsInterceptor() };
            return traced.inbound.execute(input, next);
          }
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => (traced ? traced.outbound.scheduleActivity(input, next) : next(input)),
        scheduleLocalActivity: (input, next) => (traced ? traced.outbound.scheduleLocalActivity(input, next) : next(input)),
        startChildWorkflowExecution: (input, next) => (traced ? traced.outbound.startChildWorkflowExecution(input, next) : next(input)),
        continueAsNew: (input, next) => (traced ? traced.outbound.continueAsNew(input, next) : next(input)),
        getLogAttributes(input, next) {
          const { runId, ...rest } = input as { runId?: unknown };
          const attributes = { ...rest, ...(runId !== undefined ? { temporalRunId: runId } : {}), ...runOf(), ...ids };
          return traced ? traced.outbound.getLogAttributes(attributes, next) : next(attributes);
        },
      },
    ],
    internals: [
      {
        dispose(input, next) {
          // OpenTelemetry's dispose is declared async but only disables its context manager, synchronously.
          if (traced) void traced.internals.dispose(input, next);
          else next(input);
        },
      },
    ],
  };
}

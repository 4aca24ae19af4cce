/**
 * Activity interceptors: every activity log line carries the run's `partnerId` and `runId` (the
 * sync run, stable across continue-as-new), and finished activities feed the run and company
 * counters (deps/metrics.ts) from the outcomes they return, so the activities themselves need no
 * metrics code. Inputs and results are read with zod: an activity whose shape changes is simply
 * not counted, never broken.
 */
import type { Context as ActivityContext } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';
import { z } from 'zod';
import { adjustments, companySyncs, runsFinished, unitsChanged } from '../deps/metrics.ts';

const runInput = z.object({ partnerId: z.string().optional(), runId: z.string().optional(), dryRun: z.boolean().optional(), status: z.string().optional() });
const statusResult = z.object({ status: z.string() });
const companyResult = z.object({ status: z.string(), unitsChanged: z.number(), adjustments: z.number() });
const failedCompanies = z.object({ companies: z.number() });

type RunInput = z.infer<typeof runInput>;

function count(activityType: string, input: RunInput, result: unknown): void {
  const dryRun = String(input.dryRun ?? false);
  switch (activityType) {
    case 'finishRun': {
      const r = statusResult.safeParse(result);
      if (r.success) runsFinished.inc({ status: r.data.status });
      return;
    }
    case 'applyCompanyPlan': {
      const r = companyResult.safeParse(result);
      if (!r.success) return;
      companySyncs.inc({ status: r.data.status, dry_run: dryRun });
      if (input.dryRun) return;
      adjustments.inc(r.data.adjustments);
      unitsChanged.inc(r.data.unitsChanged);
      return;
    }
    case 'recordCompanyResult':
      if (input.status) companySyncs.inc({ status: input.status, dry_run: dryRun });
      return;
    case 'failCompanies': {
      const r = failedCompanies.safeParse(result);
      if (r.success && r.data.companies > 0) companySyncs.inc({ status: 'error', dry_run: 'false' }, r.data.companies);
      return;
    }
  }
}

export function activityInterceptors(ctx: ActivityContext): ActivityInterceptors {
  // Known before the activity's input is: the partner, from its workflow's id. (The SDK's own
  // "Activity started" debug line is written before any interceptor sees the input, so it carries
  // the partner but not yet the run.)
  const partnerId = /^(?:partner|company)-sync\/([^/]+)\//.exec(ctx.info.workflowExecution?.workflowId ?? '')?.[1];
  let ids: { partnerId?: string; runId?: string } = partnerId ? { partnerId } : {};
  return {
    inbound: {
      async execute(input, next) {
        const parsed = runInput.safeParse(input.args[0]);
        const args = parsed.success ? parsed.data : {};
        ids = { ...ids, ...(args.partnerId ? { partnerId: args.partnerId } : {}), ...(args.runId ? { runId: args.runId } : {}) };
        const result = await next(input);
        count(ctx.info.activityType, args, result);
        return result;
      },
    },
    outbound: {
      getLogAttributes(input, next) {
        return next({ ...ids, ...input });
      },
    },
  };
}

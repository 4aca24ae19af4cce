/**
 * The two steps of budget pacing (docs/design.md rule 10): read the tenant's usage
 * (ThresholdInformation costs nothing against the budget), and show on the run that it is
 * waiting and until when. The waiting itself is a durable timer in the workflow, never here.
 */
import { log } from '@temporalio/activity';
import { setRunPaced } from '../db/repositories/sync-runs.ts';
import { autotaskForPartner } from '../deps/autotask-for-partner.ts';
import type { Deps } from '../deps/deps.ts';
import { IntegrationError } from '../integrations/errors.ts';
import { allowedRequests, type BudgetReading } from '../sync/budget.ts';

export const DEFAULT_BUDGET_SHARE = 0.5;

export function createBudgetActivities(deps: Deps) {
  return {
    /**
     * The tenant's usage and this service's share of it; null when Autotask cannot say (then the
     * company's own writes meet the same failure and report it, retried or named).
     */
    async readAutotaskBudget(input: { partnerId: string }): Promise<BudgetReading | null> {
      try {
        const client = await autotaskForPartner(deps, input.partnerId);
        const t = await client.threshold();
        return {
          used: t.currentTimeframeRequestCount,
          allowed: allowedRequests(t.externalRequestThreshold, deps.autotask.budgetShare ?? DEFAULT_BUDGET_SHARE),
          windowMs: Math.round(t.requestThresholdTimeframe * 60_000),
        };
      } catch (err) {
        if (!(err instanceof IntegrationError)) throw err;
        log.warn('could not read the Autotask usage; going on unpaced', { partnerId: input.partnerId, kind: err.kind });
        return null;
      }
    },

    async markRunPaced(input: { runId: string; until: string | null }): Promise<void> {
      await setRunPaced(deps.db, input.runId, input.until ? new Date(input.until) : null);
    },
  };
}

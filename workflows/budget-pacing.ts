/**
 * Paces a run's companies against the tenant's hourly Autotask budget (docs/design.md rule 10):
 * a company is started only when what it may send fits in the room left under
 * `AUTOTASK_BUDGET_SHARE` of the threshold; otherwise the run marks itself paced, waits on a
 * durable timer (a worker restart or a deploy does not lose the wait) and reads the usage again.
 *
 * The room is read once and then spent company by company, so the usage is read about once per
 * fill of the room, not once per company. Companies admitted but not finished count against the
 * room until the next reading, which then sees what they sent.
 */
import { patched, sleep } from '@temporalio/workflow';
import { pauseFor, requestsFor, roomLeft } from '../sync/budget.ts';
import type { CompanyPlan } from '../sync/records.ts';
import { bookkeeping } from './activity-options.ts';

/** Histories recorded before pacing have no marker and replay without it. */
export const BUDGET_PACING_PATCH = 'autotask-budget-pacing';

export interface BudgetPacer {
  /** Resolves when the company may start; returns what it was admitted for, for `release`. */
  admit(plan: Pick<CompanyPlan, 'actions'>): Promise<number>;
  /** The company ended: what it sent shows in the next reading instead. */
  release(cost: number): void;
}

export function budgetPacer(options: { partnerId: string; runId: string; dryRun: boolean }): BudgetPacer {
  // A dry run writes nothing; old histories replay as they ran.
  const enabled = !options.dryRun && patched(BUDGET_PACING_PATCH);
  let room = 0;
  let outstanding = 0;
  let paced = false;
  return {
    async admit(plan) {
      const cost = requestsFor(plan);
      if (!enabled || cost === 0) return 0;
      while (room < cost) {
        const reading = await bookkeeping.readAutotaskBudget({ partnerId: options.partnerId });
        // Autotask cannot say: go on; the company's own requests meet the same failure and report it.
        if (!reading) {
          room = cost;
          break;
        }
        room = roomLeft(reading, outstanding);
        // A company larger than the whole share would otherwise wait for ever: it goes alone.
        if (room >= cost || (outstanding === 0 && cost > reading.allowed && reading.used === 0)) break;
        const pauseMs = pauseFor(reading);
        paced = true;
        await bookkeeping.markRunPaced({ runId: options.runId, until: new Date(Date.now() + pauseMs).toISOString() });
        await sleep(pauseMs);
      }
      if (paced) {
        paced = false;
        await bookkeeping.markRunPaced({ runId: options.runId, until: null });
      }
      room -= cost;
      outstanding += cost;
      return cost;
    },
    release(cost) {
      outstanding -= cost;
    },
  };
}

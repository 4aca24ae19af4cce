/**
 * Activities are built from their dependencies (database, API clients, clock) so tests and the
 * embedded `npm start` wire real ones without globals (samples-typescript's createActivities).
 */
import type { Deps } from '../deps/deps.ts';
import { createBudgetActivities } from './budget.ts';
import { createCompanyActivities } from './company.ts';
import { createNotifyActivities } from './notify.ts';
import { createPlanRunActivities } from './plan-run.ts';
import { createReminderActivities } from './reminders.ts';
import { createRunActivities } from './runs.ts';

export function createActivities(deps: Deps) {
  return {
    ...createRunActivities(deps),
    ...createPlanRunActivities(deps),
    ...createCompanyActivities(deps),
    ...createNotifyActivities(deps),
    ...createBudgetActivities(deps),
    ...createReminderActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * Activities are built from their dependencies (database, API clients, clock) so tests and the
 * embedded `npm start` wire real ones without globals (samples-typescript's createActivities).
 */
import type { Db } from '../db/client.ts';
import { createRunActivities } from './runs.ts';

export interface ActivityDeps {
  db: Db;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createRunActivities(deps),
  };
}

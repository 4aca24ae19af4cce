/**
 * Activities are built from their dependencies (database, API clients, clock) so tests and the
 * embedded `npm start` wire real ones without globals (samples-typescript's createActivities).
 */
import type { Db } from '../db/client.ts';
import type { SecretBox } from '../db/secret-box.ts';
import type { PasswordBossClient } from '../integrations/passwordboss/client.ts';
import { createCompanyActivities } from './company.ts';
import { createPlanRunActivities } from './plan-run.ts';
import { createRunActivities } from './runs.ts';

export interface ActivityDeps {
  db: Db;
  secretBox: SecretBox;
  autotask: { zoneLookupUrl: string; defaultTrackingIdentifier: string; timeoutMs?: number; /** AUTOTASK_API_HOSTS (unset: the default allowlist). */ apiHosts?: string | undefined };
  passwordboss: PasswordBossClient;
  now: () => Date;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createRunActivities(deps),
    ...createPlanRunActivities(deps),
    ...createCompanyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** Builds the activities' dependencies from the configuration (and, under `npm start`, the simulators). */
import type { ActivityDeps } from '../activities/index.ts';
import { AUTOTASK_GLOBAL_ZONE_LOOKUP_URL, type Env } from '../config/env.ts';
import type { Db } from '../db/client.ts';
import { createSecretBox } from '../db/secret-box.ts';
import { PasswordBossClient } from '../integrations/passwordboss/client.ts';
import type { LocalSecrets } from './local-secrets.ts';

export interface ExternalEndpoints {
  zoneLookupUrl: string;
  passwordbossUrl: string;
  passwordbossToken: string;
}

/** The real services' addresses from the environment; Password Boss has no public default. */
export function endpointsFromEnv(env: Env, secrets: LocalSecrets): ExternalEndpoints {
  if (!env.PASSWORDBOSS_API_URL) {
    throw new Error('PASSWORDBOSS_API_URL is not set: point it at the Password Boss API (or use `npm start`, which runs the simulator)');
  }
  return {
    zoneLookupUrl: env.AUTOTASK_ZONE_LOOKUP_URL ?? AUTOTASK_GLOBAL_ZONE_LOOKUP_URL,
    passwordbossUrl: env.PASSWORDBOSS_API_URL,
    passwordbossToken: secrets.passwordbossToken,
  };
}

export function createActivityDeps(options: { db: Db; env: Env; secrets: LocalSecrets; endpoints: ExternalEndpoints }): ActivityDeps {
  return {
    db: options.db,
    secretBox: createSecretBox(options.secrets.secretsKeys),
    autotask: { zoneLookupUrl: options.endpoints.zoneLookupUrl, defaultTrackingIdentifier: options.env.AUTOTASK_INTEGRATION_CODE, apiHosts: options.env.AUTOTASK_API_HOSTS },
    passwordboss: new PasswordBossClient({ baseUrl: options.endpoints.passwordbossUrl, token: options.endpoints.passwordbossToken }),
    now: () => new Date(),
  };
}

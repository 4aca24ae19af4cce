/**
 * The one set of dependencies the activities and the API share: the database, the secret box,
 * where Autotask is, the Password Boss client and the clock. Built from the configuration (and,
 * under `npm start`, the simulators), or by tests with their own; passed in, never global.
 */
import { AUTOTASK_GLOBAL_ZONE_LOOKUP_URL, type Env } from '../config/env.ts';
import type { Db } from '../db/client.ts';
import { createSecretBox, type SecretBox } from '../db/secret-box.ts';
import type { ConfirmReadsOptions } from '../integrations/autotask/confirm-reads.ts';
import type { SharedSlots } from '../integrations/autotask/limiter.ts';
import { PasswordBossClient } from '../integrations/passwordboss/client.ts';
import type { LocalSecrets } from '../runtime/local-secrets.ts';
import { sharedSlotsIn } from './autotask-slots.ts';

export interface Deps {
  db: Db;
  secretBox: SecretBox;
  autotask: {
    zoneLookupUrl: string;
    defaultTrackingIdentifier: string;
    /** AUTOTASK_API_HOSTS (unset: the default allowlist). */
    apiHosts?: string | undefined;
    timeoutMs?: number;
    /** AUTOTASK_BUDGET_SHARE: the share of the tenant's hourly threshold runs may fill (default 0.5). */
    budgetShare?: number;
    /** Autotask's thread limit across processes (PostgreSQL); unset, it holds per process. */
    sharedSlots?: SharedSlots | undefined;
    /**
     * How long confirming reads wait for each other (integrations/autotask/confirm-reads.ts);
     * unset, the defaults. Tests that write one company at a time have nothing to batch.
     */
    confirmReads?: ConfirmReadsOptions | undefined;
  };
  passwordboss: PasswordBossClient;
  now: () => Date;
  /**
   * Whether a run's workflow chain (continue-as-new included) is still open in Temporal: a run
   * lease held by a closed run is taken over (docs/design.md rule 12). Every worker sets it from
   * its own connection (worker/create-worker.ts); without it, a lease whose run is still recorded
   * as running is taken to be held.
   */
  isWorkflowOpen?: ((workflowId: string, firstExecutionRunId: string) => Promise<boolean>) | undefined;
  /** How alerts go out (SMTP_URL, NOTIFY_FROM, PORTAL_URL, ALLOW_PRIVATE_WEBHOOKS); unset: no e-mail, webhooks public only. */
  notify?: NotifyConfig;
}

export interface NotifyConfig {
  smtpUrl?: string | undefined;
  from: string;
  portalUrl?: string | undefined;
  allowPrivateWebhooks: boolean;
}

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

/**
 * `sharedDatabase`: other processes use the same database (PostgreSQL), so the Autotask thread
 * limit is held through it; embedded PGlite has one process, whose own limit is enough.
 */
export function createDeps(options: { db: Db; env: Env; secrets: LocalSecrets; endpoints: ExternalEndpoints; sharedDatabase: boolean }): Deps {
  return {
    db: options.db,
    secretBox: createSecretBox(options.secrets.secretsKeys),
    autotask: {
      zoneLookupUrl: options.endpoints.zoneLookupUrl,
      defaultTrackingIdentifier: options.env.AUTOTASK_INTEGRATION_CODE,
      apiHosts: options.env.AUTOTASK_API_HOSTS,
      budgetShare: options.env.AUTOTASK_BUDGET_SHARE,
      ...(options.sharedDatabase ? { sharedSlots: sharedSlotsIn(options.db) } : {}),
    },
    passwordboss: new PasswordBossClient({ baseUrl: options.endpoints.passwordbossUrl, token: options.endpoints.passwordbossToken }),
    now: () => new Date(),
    notify: { smtpUrl: options.env.SMTP_URL, from: options.env.NOTIFY_FROM, portalUrl: options.env.PORTAL_URL, allowPrivateWebhooks: options.env.ALLOW_PRIVATE_WEBHOOKS },
  };
}

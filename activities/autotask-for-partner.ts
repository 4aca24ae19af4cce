/** An Autotask client for a partner's stored credentials; the secret is decrypted here only. */
import { ApplicationFailure } from '@temporalio/activity';
import { findSettings } from '../db/repositories/autotask-settings.ts';
import { AutotaskClient } from '../integrations/autotask/client.ts';
import type { ActivityDeps } from './index.ts';

export async function autotaskForPartner(deps: ActivityDeps, partnerId: string): Promise<AutotaskClient> {
  const settings = await findSettings(deps.db, partnerId);
  if (!settings?.secretCiphertext) {
    throw ApplicationFailure.nonRetryable('The Autotask integration has no saved credentials — enter and save them under Integrations > Autotask PSA', 'AutotaskNotConfigured');
  }
  let secret: string;
  try {
    secret = deps.secretBox.open(settings.secretCiphertext, partnerId);
  } catch {
    throw ApplicationFailure.nonRetryable('The stored Autotask secret cannot be decrypted (SECRETS_KEY changed?) — enter the secret again and save', 'AutotaskSecretUnreadable');
  }
  return new AutotaskClient({
    zoneLookupUrl: deps.autotask.zoneLookupUrl,
    apiHosts: deps.autotask.apiHosts,
    username: settings.username,
    secret,
    trackingIdentifier: settings.trackingIdentifier || deps.autotask.defaultTrackingIdentifier,
    ...(deps.autotask.timeoutMs ? { timeoutMs: deps.autotask.timeoutMs } : {}),
  });
}

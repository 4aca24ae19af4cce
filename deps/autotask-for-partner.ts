/**
 * An Autotask client for a partner's stored credentials; the secret is decrypted here only. When
 * there is nothing to build it from, a typed error says why, and each side words it its own way:
 * the activities as a non-retryable failure, the API as a 409.
 */
import { findSettings, type AutotaskSettingsRow } from '../db/repositories/autotask-settings.ts';
import { AutotaskClient } from '../integrations/autotask/client.ts';
import type { Deps } from './deps.ts';

/** No settings saved (`missing: 'settings'`), or saved without a secret (`missing: 'secret'`). */
export class AutotaskNotConfiguredError extends Error {
  override name = 'AutotaskNotConfiguredError';
  constructor(readonly missing: 'settings' | 'secret') {
    super('The Autotask integration has no saved credentials — enter and save them under Integrations > Autotask PSA');
  }
}

/** The stored secret does not decrypt under this SECRETS_KEY. */
export class SecretUnreadableError extends Error {
  override name = 'SecretUnreadableError';
  constructor() {
    super('The stored Autotask secret cannot be decrypted (SECRETS_KEY changed?) — enter the secret again and save');
  }
}

export async function autotaskForPartner(deps: Deps, partnerId: string): Promise<AutotaskClient> {
  return autotaskFromSettings(deps, partnerId, await findSettings(deps.db, partnerId));
}

/** The same from a settings row the caller has just read (a company's writes read it once, for the switch too). */
export function autotaskFromSettings(deps: Deps, partnerId: string, settings: AutotaskSettingsRow | undefined): AutotaskClient {
  if (!settings) throw new AutotaskNotConfiguredError('settings');
  if (!settings.secretCiphertext) throw new AutotaskNotConfiguredError('secret');
  let secret: string;
  try {
    secret = deps.secretBox.open(settings.secretCiphertext, partnerId);
  } catch {
    throw new SecretUnreadableError();
  }
  return new AutotaskClient({
    zoneLookupUrl: deps.autotask.zoneLookupUrl,
    apiHosts: deps.autotask.apiHosts,
    username: settings.username,
    secret,
    trackingIdentifier: settings.trackingIdentifier || deps.autotask.defaultTrackingIdentifier,
    sharedSlots: deps.autotask.sharedSlots,
    ...(deps.autotask.timeoutMs ? { timeoutMs: deps.autotask.timeoutMs } : {}),
  });
}

/** The partner's Autotask connection as the API uses it: stored credentials, cached look-ups. */
import type { ActivityDeps } from '../../activities/index.ts';
import { findSettings, type AutotaskSettingsRow } from '../../db/repositories/autotask-settings.ts';
import { AutotaskClient } from '../../integrations/autotask/client.ts';
import type { AtCompany, AtContract, AtService } from '../../integrations/autotask/schemas.ts';
import { ApiError, notSavedYet } from '../errors.ts';
import { mapIntegrationErrors } from './integration-errors.ts';
import { TtlCache } from './ttl-cache.ts';

export function createPartnerAutotask(deps: ActivityDeps, ttlMs = 60_000) {
  const services = new TtlCache<AtService[]>(ttlMs);
  const companies = new TtlCache<AtCompany[]>(ttlMs);
  const contracts = new TtlCache<AtContract[]>(ttlMs);

  async function settingsOrConflict(partnerId: string): Promise<AutotaskSettingsRow> {
    const settings = await findSettings(deps.db, partnerId);
    if (!settings) throw notSavedYet();
    return settings;
  }

  async function client(partnerId: string): Promise<AutotaskClient> {
    const settings = await settingsOrConflict(partnerId);
    if (!settings.secretCiphertext) throw new ApiError(409, 'integration_not_saved', 'No Autotask secret is stored; enter it and save the settings');
    let secret: string;
    try {
      secret = deps.secretBox.open(settings.secretCiphertext, partnerId);
    } catch {
      throw new ApiError(409, 'secret_unreadable', 'The stored Autotask secret cannot be decrypted (the service key changed); enter the secret again and save');
    }
    return new AutotaskClient({ zoneLookupUrl: deps.autotask.zoneLookupUrl, apiHosts: deps.autotask.apiHosts, username: settings.username, secret, trackingIdentifier: settings.trackingIdentifier || deps.autotask.defaultTrackingIdentifier });
  }

  return {
    settingsOrConflict,
    client,
    activeServices: (partnerId: string) => services.get(partnerId, () => mapIntegrationErrors(async () => (await client(partnerId)).activeServices())),
    searchCompanies: (partnerId: string, term: string) => companies.get(`${partnerId}|${term.trim().toLowerCase()}`, () => mapIntegrationErrors(async () => (await client(partnerId)).searchCompanies(term))),
    companyContracts: (partnerId: string, companyId: number) => contracts.get(`${partnerId}|${companyId}`, () => mapIntegrationErrors(async () => (await client(partnerId)).companyContracts(companyId))),
    company: (partnerId: string, companyId: number) => mapIntegrationErrors(async () => (await client(partnerId)).company(companyId)),
    servicesByIds: (partnerId: string, ids: number[]) => mapIntegrationErrors(async () => (await client(partnerId)).servicesByIds(ids)),
    invalidate(partnerId: string) {
      services.invalidate(partnerId);
      companies.invalidate(`${partnerId}|`);
      contracts.invalidate(`${partnerId}|`);
    },
  };
}

export type PartnerAutotask = ReturnType<typeof createPartnerAutotask>;

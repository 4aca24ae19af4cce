/** The partner's Autotask connection as the API uses it: stored credentials, cached look-ups. */
import { findSettings, type AutotaskSettingsRow } from '../../db/repositories/autotask-settings.ts';
import { autotaskForPartner } from '../../deps/autotask-for-partner.ts';
import type { Deps } from '../../deps/deps.ts';
import type { AutotaskClient } from '../../integrations/autotask/client.ts';
import type { AtCompany, AtContract, AtService } from '../../integrations/autotask/schemas.ts';
import { notSavedYet } from '../errors.ts';
import { mapIntegrationErrors } from './integration-errors.ts';
import { TtlCache } from './ttl-cache.ts';

export function createPartnerAutotask(deps: Deps, ttlMs = 60_000) {
  const services = new TtlCache<AtService[]>(ttlMs);
  const companies = new TtlCache<AtCompany[]>(ttlMs);
  const contracts = new TtlCache<AtContract[]>(ttlMs);

  async function settingsOrConflict(partnerId: string): Promise<AutotaskSettingsRow> {
    const settings = await findSettings(deps.db, partnerId);
    if (!settings) throw notSavedYet();
    return settings;
  }

  /** The partner's client; a missing or unreadable secret answers 409 with what to do. */
  function client(partnerId: string): Promise<AutotaskClient> {
    return mapIntegrationErrors(() => autotaskForPartner(deps, partnerId));
  }

  return {
    settingsOrConflict,
    client,
    activeServices: (partnerId: string) => services.get(partnerId, () => mapIntegrationErrors(async () => (await client(partnerId)).activeServices())),
    searchCompanies: (partnerId: string, term: string, types?: readonly number[]) =>
      companies.get(`${partnerId}|${term.trim().toLowerCase()}|${types?.join(',') ?? ''}`, () => mapIntegrationErrors(async () => (await client(partnerId)).searchCompanies(term, undefined, types))),
    /** Every active company of those types (one request per 500), kept as briefly as the other look-ups; NUL, refused in every search term, keeps its key apart. */
    activeCompanies: (partnerId: string, types: readonly number[]) => companies.get(`${partnerId}|\u0000all|${[...types].sort().join(',')}`, () => mapIntegrationErrors(async () => (await client(partnerId)).activeCompanies(types))),
    companiesByIds: (partnerId: string, ids: number[]) => mapIntegrationErrors(async () => (await client(partnerId)).companiesByIds(ids)),
    contractsOfCompanies: (partnerId: string, companyIds: number[]) => mapIntegrationErrors(async () => (await client(partnerId)).contractsOfCompanies(companyIds)),
    contractsByIds: (partnerId: string, ids: number[]) => mapIntegrationErrors(async () => (await client(partnerId)).contractsByIds(ids)),
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

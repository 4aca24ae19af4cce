/**
 * The portal's only way out: the public REST API, with the key kept for this browser session.
 * The answers' types come from the API's own schemas (type-only imports, which the bundler drops).
 */
import type { AuthenticationResultView, SettingsView } from '../../api/routes/autotask-settings.ts';
import type { LedgerEntryView } from '../../api/routes/billing-ledger.ts';
import type { CompanyMappingView, StopView } from '../../api/routes/company-mappings.ts';
import type { BulkResultView, MappingSuggestionView } from '../../api/routes/company-suggestions.ts';
import type { AutotaskCompanyView, AutotaskContractView, AutotaskServiceView } from '../../api/routes/lookups.ts';
import type { NotificationSettingsView } from '../../api/routes/notifications.ts';
import type { ApprovalSettingsView } from '../../api/routes/approval.ts';
import type { PartnerOverviewView, PartnerView } from '../../api/routes/partners.ts';
import type { ProductMappingView } from '../../api/routes/product-mappings.ts';
import type { ScheduleView } from '../../api/routes/schedule.ts';
import type { SyncRunDetailView, SyncRunView } from '../../api/routes/sync.ts';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

const KEY = 'pbas.apiKey';
export const session = {
  get key(): string | null {
    return sessionStorage.getItem(KEY);
  },
  set key(value: string | null) {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  },
};

/** GETs started ahead of need (prefetch), each taken over by the first api() call for it. */
const early = new Map<string, { answer: Promise<unknown>; at: number }>();

/**
 * Starts a GET the page will make once an earlier answer is in, so the two overlap instead of
 * queueing (the company list waits for the integration settings otherwise). Taken over within
 * 5 s by api(), or dropped: an answer older than that is not served.
 */
export function prefetch(path: string): void {
  const answer = request('GET', path);
  answer.catch(() => undefined); // a prefetch nobody takes over must not report an error
  early.set(path, { answer, at: Date.now() });
}

export function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const ahead = method === 'GET' ? early.get(path) : undefined;
  if (ahead) {
    early.delete(path);
    if (Date.now() - ahead.at < 5_000) return ahead.answer as Promise<T>;
  }
  return request<T>(method, path, body);
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${session.key ?? ''}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const err = (json as { error?: { code: string; message: string; details?: unknown } } | undefined)?.error;
    throw new ApiError(res.status, err?.code ?? 'error', err?.message ?? `HTTP ${res.status}`, err?.details);
  }
  return json as T;
}

/** What a JSON answer holds for one of the API's types: its dates arrive as ISO strings. */
type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T;

export type Partner = Json<PartnerView>;
export type PartnerOverview = Json<PartnerOverviewView>;
export type NotificationSettings = Json<NotificationSettingsView>;
export type ApprovalSettings = Json<ApprovalSettingsView>;
export type Settings = Json<SettingsView>;
export type AuthResult = Json<AuthenticationResultView>;
export type Service = Json<AutotaskServiceView>;
export type ProductMapping = Json<ProductMappingView>;
export type Schedule = Json<ScheduleView>;
export type CompanyRow = Json<CompanyMappingView>;
/** An unmap's answer: the pairs that keep their units. */
export type Stop = Json<StopView>;
export type AtCompany = Json<AutotaskCompanyView>;
export type AtContract = Json<AutotaskContractView>;
/** A run from the history list, or one run with its totals and result rows. */
export type SyncRun = Json<SyncRunView> & Partial<Omit<Json<SyncRunDetailView>, keyof SyncRunView>>;
/** Suggested Autotask companies for a company still to map, and one row's answer to a bulk confirm. */
export type Suggestion = Json<MappingSuggestionView>;
export type BulkResult = Json<BulkResultView>;
/** One write of units from the billing ledger. */
export type LedgerEntry = Json<LedgerEntryView>;

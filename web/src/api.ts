/** The portal's only way out: the public REST API, with the key kept for this browser session. */
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

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
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

export interface Partner { id: string; name: string; timezone: string }
export interface Settings {
  configured: boolean; username: string | null; hasSecret: boolean; trackingIdentifier: string | null; enabled: boolean;
  countBasis: 'users' | 'licenses'; zone: { name: string; url: string } | null;
  lastAuthentication: { at: string; ok: boolean; detail: string | null } | null;
}
export interface AuthResult { ok: boolean; zone?: { name: string }; failure?: string; message: string }
export interface Service { id: number; name: string; description: string | null }
export interface ProductMapping { productId: string; productName: string; autotaskServiceId: number | null; autotaskServiceName: string | null }
export interface Schedule { schedule: { frequency: 'daily' | 'weekly'; dayOfWeek: string | null; time: string; timezone: string } | null; paused: boolean | null; nextRuns: string[]; note: string | null }
export interface CompanyRow {
  pbCompanyId: string; pbCompanyName: string; active: boolean; mapped: boolean;
  autotaskCompany: { id: number; name: string | null } | null; contract: { id: number; name: string | null } | null;
  status: string; detail: string | null; lastSyncAt: string | null; lastRunId: string | null;
}
export interface AtCompany { id: number; name: string; number: string | null }
export interface AtContract { id: number; name: string; recurring: boolean; eligible: boolean; reason: string | null; endDate: string | null }
export interface SyncRun {
  id: string; workflowId: string; trigger: string; dryRun: boolean; status: string; billingMonth: string | null; effectiveDate: string | null;
  total: number; done: number; failed: number; unitsChanged: number; adjustments: number; detail: string | null;
  startedAt: string; finishedAt: string | null; temporalUiUrl: string | null;
  results?: Array<{ pbCompanyId: string; productId: string; action: string; status: string; unitsBefore: number | null; unitsAfter: number | null; detail: string | null }>;
}

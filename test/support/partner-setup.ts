/** Sets a partner up the way the portal would: through the API, with the demo's Autotask tenant. */
import { expect } from 'vitest';
import { saveCompanyMapping } from '../../db/repositories/company-mappings.ts';
import { bearer, type Stack } from './stack.ts';

export interface SetupOptions {
  partnerId?: string;
  enabled?: boolean;
  /** Which demo companies to map (default: every demo mapping). */
  companies?: (id: string) => boolean;
  /** Also map the companies whose contract the API would refuse (as if mapped before it ended). */
  includeBroken?: boolean;
}

export async function setUpPartner(stack: Stack, options: SetupOptions = {}): Promise<{ partnerId: string; mapped: string[] }> {
  const partnerId = options.partnerId ?? stack.partnerId;
  const admin = bearer(stack.adminKey);
  const inject = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, status = 200) => {
    const res = await stack.app.inject({ method, url, headers: admin, ...(payload !== undefined ? { payload: payload as object } : {}) });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
    return res.json();
  };
  await inject('POST', '/v1/partners', { id: partnerId, name: 'Northwind', timezone: 'America/New_York' }, 201);
  const creds = stack.sims.demo.credentials;
  await inject('PUT', `/v1/partners/${partnerId}/autotask`, { username: creds.username, secret: creds.secret, enabled: options.enabled ?? true });
  await inject('PUT', `/v1/partners/${partnerId}/product-mappings`, { mappings: [{ productId: 'pb-standard', autotaskServiceId: 301 }, { productId: 'pb-advanced', autotaskServiceId: 302 }] });
  await inject('GET', `/v1/partners/${partnerId}/company-mappings?limit=1`);
  const notable = stack.sims.demo.notable;
  const broken = new Set([notable.endedContract, notable.otherTypeOnly]);
  const mapped: string[] = [];
  for (const m of stack.sims.demo.mappings) {
    if (options.companies && !options.companies(m.pbCompanyId)) continue;
    if (broken.has(m.pbCompanyId)) {
      if (!options.includeBroken) continue;
      await saveCompanyMapping(stack.db.db, partnerId, m.pbCompanyId, m);
    } else {
      await inject('PUT', `/v1/partners/${partnerId}/company-mappings/${m.pbCompanyId}`, { autotaskCompanyId: m.autotaskCompanyId, autotaskContractId: m.autotaskContractId });
    }
    mapped.push(m.pbCompanyId);
  }
  return { partnerId, mapped };
}

/** Starts "sync now" through the API and waits for the run's workflow to finish. */
export async function syncNow(stack: Stack, partnerId: string, body: Record<string, unknown> = {}) {
  const res = await stack.app.inject({ method: 'POST', url: `/v1/partners/${partnerId}/sync`, headers: bearer(stack.adminKey), payload: body });
  expect(res.statusCode, res.body).toBe(202);
  const started = res.json() as { runId: string; workflowId: string };
  const summary = await stack.client.workflow.getHandle(started.workflowId, started.runId).result();
  const run = await stack.app.inject({ method: 'GET', url: `/v1/partners/${partnerId}/sync-runs/${started.runId}`, headers: bearer(stack.adminKey) });
  return { started, summary, run: run.json() as RunView };
}

export interface RunView {
  id: string;
  status: string;
  total: number;
  done: number;
  failed: number;
  unitsChanged: number;
  adjustments: number;
  billingMonth: string | null;
  effectiveDate: string | null;
  detail: string | null;
  results: Array<{ pbCompanyId: string; productId: string; autotaskServiceId: number | null; action: string; status: string; unitsBefore: number | null; unitsAfter: number | null; adjustmentId: number | null; errorType: string | null; detail: string | null }>;
}

/** What Autotask should hold for a company after a correct sync: the latest month's counts. */
export function expectedUnits(stack: Stack, pbCompanyId: string): Map<number, number> {
  const pb = stack.sims.passwordboss.partner(stack.partnerId)!;
  const latest = pb.months.filter((m) => m.final).sort((a, b) => a.month.localeCompare(b.month)).at(-1)!;
  const out = new Map<number, number>([[301, 0], [302, 0]]);
  for (const c of latest.counts.filter((x) => x.companyId === pbCompanyId)) {
    const service = c.productId === 'pb-standard' ? 301 : 302;
    out.set(service, (out.get(service) ?? 0) + c.users);
  }
  return out;
}

/** Units Autotask holds now on the effective date, per service, for a company's contract. */
export function actualUnits(stack: Stack, pbCompanyId: string, effectiveDate: string): Map<number, number> {
  const m = stack.sims.demo.mappings.find((x) => x.pbCompanyId === pbCompanyId)!;
  const state = stack.sims.autotask.state;
  const out = new Map<number, number>([[301, 0], [302, 0]]);
  for (const cs of state.contractServicesOf(m.autotaskContractId)) out.set(cs.serviceID, state.unitsAt(cs.id, effectiveDate));
  return out;
}

/** Adjustments the sync wrote (seeded ones have at = 0), grouped by contract, service and date. */
export function writtenAdjustments(stack: Stack, since = 0) {
  const groups = new Map<string, number>();
  for (const a of stack.sims.autotask.state.adjustments.slice(since).filter((x) => x.at > 0)) {
    const key = `${a.contractID}:${a.serviceID}:${a.effectiveDate}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return groups;
}

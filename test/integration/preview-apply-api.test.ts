/**
 * Preview and Apply over the real stack (issue 17): a dry run's fingerprint, Apply writing
 * exactly the previewed changes into Autotask, and Apply refusing (409, with each difference)
 * when the counts moved after the preview — nothing written then.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner, syncNow } from '../support/partner-setup.ts';

let stack: Stack;
const post = (url: string, payload: object) => stack.app.inject({ method: 'POST', url, headers: bearer(stack.adminKey), payload });
const get = async (url: string) => (await stack.app.inject({ url, headers: bearer(stack.adminKey) })).json();
const pb = () => stack.sims.passwordboss.partner(stack.partnerId)!;
const latest = () => pb().months.filter((m) => m.final).sort((a, b) => a.month.localeCompare(b.month)).at(-1)!;
const state = () => stack.sims.autotask.state;
type Row = { pbCompanyId: string; autotaskContractId: number | null; autotaskServiceId: number | null; action: string; unitsBefore: number | null; unitsAfter: number | null };

async function preview() {
  const { run } = await syncNow(stack, stack.partnerId, { dryRun: true });
  const detail = await get(`/v1/partners/${stack.partnerId}/sync-runs/${run.id}`);
  return detail as { id: string; effectiveDate: string; planFingerprint: string; results: Row[] };
}
const changesOf = (rows: Row[]) => rows.filter((r) => r.action === 'would_set' && r.unitsBefore !== r.unitsAfter);
const unitsOn = (contractId: number, serviceId: number, date: string) => {
  const cs = state().contractServicesOf(contractId).find((x) => x.serviceID === serviceId);
  return cs ? state().unitsAt(cs.id, date) : 0;
};

beforeAll(async () => {
  stack = await startStack('pglite', { demo: { companies: 8 } });
  await setUpPartner(stack);
});
afterAll(async () => {
  await stack?.close();
});

describe('preview and apply', () => {
  it('refuses a fingerprint that is not the preview\'s, and a run that does not exist', async () => {
    const shown = await preview();
    expect(shown.planFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    const wrong = await post(`/v1/partners/${stack.partnerId}/sync-runs/${shown.id}/apply`, { planFingerprint: 'sha256:0000' });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json().error.code).toBe('fingerprint_mismatch');
    const missing = await post(`/v1/partners/${stack.partnerId}/sync-runs/0190f0f0-0000-7000-8000-000000000001/apply`, { planFingerprint: shown.planFingerprint });
    expect(missing.statusCode).toBe(404);
  });

  it('answers 409 with what moved when the counts changed after the preview, and writes nothing', async () => {
    const shown = await preview();
    const change = changesOf(shown.results)[0]!;
    const row = latest().counts.find((c) => c.companyId === change.pbCompanyId && c.productId === (change.autotaskServiceId === 301 ? 'pb-standard' : 'pb-advanced'))!;
    row.users += 5;
    row.licenses += 5;
    const adjustments = state().adjustments.length;
    const res = await post(`/v1/partners/${stack.partnerId}/sync-runs/${shown.id}/apply`, { planFingerprint: shown.planFingerprint });
    expect(res.statusCode, res.body).toBe(409);
    const error = res.json().error;
    expect(error.code).toBe('plan_changed');
    expect(error.details.differences).toEqual([
      expect.objectContaining({ pbCompanyId: change.pbCompanyId, contractId: change.autotaskContractId, serviceId: change.autotaskServiceId, previewed: { before: change.unitsBefore, after: change.unitsAfter }, now: { before: change.unitsBefore, after: change.unitsAfter! + 5 }, pbCompanyName: expect.any(String) }),
    ]);
    expect(state().adjustments.length).toBe(adjustments);
    // The answer's new preview is a dry run the portal can show and apply.
    const fresh = await get(`/v1/partners/${stack.partnerId}/sync-runs/${error.details.preview.runId}`);
    expect(fresh.dryRun).toBe(true);
    expect(fresh.planFingerprint).toBe(error.details.preview.planFingerprint);
  });

  it('writes exactly the previewed changes into Autotask', async () => {
    const shown = await preview();
    const changes = changesOf(shown.results);
    expect(changes.length).toBeGreaterThan(0);
    const res = await post(`/v1/partners/${stack.partnerId}/sync-runs/${shown.id}/apply`, { planFingerprint: shown.planFingerprint });
    expect(res.statusCode, res.body).toBe(202);
    const started = res.json();
    expect(started.companyIds.sort()).toEqual([...new Set(changes.map((c) => c.pbCompanyId))].sort());
    await stack.client.workflow.getHandle(started.workflowId, started.runId).result();
    for (const c of changes) expect(unitsOn(c.autotaskContractId!, c.autotaskServiceId!, shown.effectiveDate), `${c.pbCompanyId} service ${c.autotaskServiceId}`).toBe(c.unitsAfter);
    const applied = await get(`/v1/partners/${stack.partnerId}/sync-runs/${started.runId}`);
    expect(applied.status).toBe('ok');
    expect(applied.planFingerprint).toBeNull();
    // Applied: a preview now shows nothing left to change for those companies.
    const again = await preview();
    expect(changesOf(again.results).filter((r) => started.companyIds.includes(r.pbCompanyId))).toEqual([]);
    const nothing = await post(`/v1/partners/${stack.partnerId}/sync-runs/${shown.id}/apply`, { planFingerprint: shown.planFingerprint });
    expect(nothing.statusCode).toBe(409);
    expect(nothing.json().error.code).toBe('plan_changed');
  });

  it('names a company that dropped out of the plan since the preview (unmapped in another tab)', async () => {
    // Two companies change; one of them is unmapped before Apply, the other still plans.
    for (const id of ['c-0003', 'c-0004']) {
      const row = latest().counts.find((c) => c.companyId === id)!;
      row.users += 3;
      row.licenses += 3;
    }
    const shown = await preview();
    const change = changesOf(shown.results).find((r) => r.pbCompanyId === 'c-0003')!;
    const mapping = stack.sims.demo.mappings.find((m) => m.pbCompanyId === 'c-0003')!;
    const del = await stack.app.inject({ method: 'DELETE', url: `/v1/partners/${stack.partnerId}/company-mappings/c-0003`, headers: bearer(stack.adminKey) });
    expect(del.statusCode, del.body).toBe(200);
    try {
      const res = await post(`/v1/partners/${stack.partnerId}/sync-runs/${shown.id}/apply`, { planFingerprint: shown.planFingerprint });
      expect(res.statusCode, res.body).toBe(409);
      const dropped = res.json().error.details.differences.find((d: { pbCompanyId: string }) => d.pbCompanyId === 'c-0003');
      expect(dropped).toMatchObject({ serviceId: change.autotaskServiceId, now: null, pbCompanyName: (await get(`/v1/partners/${stack.partnerId}/company-mappings?search=c-0003`)).items[0].pbCompanyName });
    } finally {
      await stack.app.inject({ method: 'PUT', url: `/v1/partners/${stack.partnerId}/company-mappings/c-0003`, headers: bearer(stack.adminKey), payload: { autotaskCompanyId: mapping.autotaskCompanyId, autotaskContractId: mapping.autotaskContractId } });
    }
  });
});

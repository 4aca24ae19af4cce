/**
 * An adjustment Autotask accepted but never applied (docs/design.md rule 8), over the real stack:
 * no sync posts to its pair again by itself; every sync names it and says how to abandon it; the
 * MSP abandons it through the API (who and when kept), and the next sync posts afresh, once. One
 * that shows up late confirms itself and can no longer be abandoned. One Autotask accepted
 * without naming it is abandoned by the record's own id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { actualUnits, expectedUnits, setUpPartner, syncNow, type RunView } from '../support/partner-setup.ts';

const EFFECTIVE = '2026-11-01';

describe('an adjustment that never applies', () => {
  let stack: Stack;
  let mapped: string[];
  let partnerKey: { id: string; key: string };
  let otherKey: string;

  beforeAll(async () => {
    stack = await startStack('pglite', { demo: { companies: 4 } });
    ({ mapped } = await setUpPartner(stack));
    const admin = bearer(stack.adminKey);
    const mint = async (pid: string) => (await stack.app.inject({ method: 'POST', url: `/v1/partners/${pid}/api-keys`, headers: admin, payload: {} })).json() as { id: string; key: string };
    partnerKey = await mint(stack.partnerId);
    // Another partner with its integration saved, whose key must not reach this partner's adjustments.
    await stack.app.inject({ method: 'POST', url: '/v1/partners', headers: admin, payload: { id: 'other-msp', name: 'Other MSP', timezone: 'UTC' } });
    const creds = stack.sims.demo.credentials;
    const saved = await stack.app.inject({ method: 'PUT', url: '/v1/partners/other-msp/autotask', headers: admin, payload: { username: creds.username, secret: creds.secret, enabled: false } });
    expect(saved.statusCode, saved.body).toBe(200);
    otherKey = (await mint('other-msp')).key;
  });
  afterAll(async () => stack?.close());

  const api = (method: 'GET' | 'POST', url: string, key = partnerKey.key, pid = stack.partnerId) =>
    stack.app.inject({ method, url: `/v1/partners/${pid}${url}`, headers: bearer(key) });
  const ours = () => stack.sims.autotask.state.adjustments.filter((a) => a.at > 0);
  const errorsNaming = (run: RunView, id: number) => run.results.filter((r) => r.status === 'error' && r.adjustmentId === id);

  it('waits, is named on every sync, is abandoned by the MSP, and is then posted afresh once', async () => {
    stack.sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 1, fault: { kind: 'dropped' } });
    const first = (await syncNow(stack, stack.partnerId)).run;
    const dropped = ours().find((a) => a.applied === 'never')!;
    expect(dropped).toBeDefined();
    expect(errorsNaming(first, dropped.id)).toHaveLength(1);
    const pair = (a: { contractID: number; serviceID: number }) => `${a.contractID}/${a.serviceID}`;
    const onPair = () => ours().filter((a) => pair(a) === pair(dropped));

    // Two more syncs: nothing posted to the pair, and each says which adjustment and what to do.
    for (let n = 0; n < 2; n++) {
      const { run } = await syncNow(stack, stack.partnerId);
      expect(run.status).not.toBe('ok');
      const [row] = errorsNaming(run, dropped.id);
      expect(row?.detail).toContain(`POST …/pending-adjustments/${dropped.id}/abandon`);
      expect(onPair()).toHaveLength(1);
    }

    const listed = await api('GET', '/pending-adjustments');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toEqual([expect.objectContaining({ adjustmentId: dropped.id, contractId: dropped.contractID, serviceId: dropped.serviceID, resolution: null })]);

    // Another partner's key, and an adjustment this partner never posted: not found.
    expect((await api('POST', `/pending-adjustments/${dropped.id}/abandon`, otherKey)).statusCode).toBe(404);
    expect((await api('POST', `/pending-adjustments/${dropped.id}/abandon`, otherKey, 'other-msp')).statusCode).toBe(404);
    expect((await api('POST', `/pending-adjustments/${dropped.id + 100_000}/abandon`)).statusCode).toBe(404);
    expect((await api('POST', '/pending-adjustments/0/abandon')).statusCode).toBe(400);

    const abandoned = await api('POST', `/pending-adjustments/${dropped.id}/abandon`);
    expect(abandoned.statusCode, abandoned.body).toBe(200);
    expect(abandoned.json()).toMatchObject({ adjustmentId: dropped.id, resolution: 'abandoned', resolvedBy: `api-key:${partnerKey.id}` });
    expect(Date.parse(abandoned.json().resolvedAt)).toBeGreaterThan(Date.parse(abandoned.json().postedAt));
    // Abandoning twice answers the same record.
    expect((await api('POST', `/pending-adjustments/${dropped.id}/abandon`)).json()).toEqual(abandoned.json());

    const { run } = await syncNow(stack, stack.partnerId);
    expect(run).toMatchObject({ status: 'ok', failed: 0 });
    expect(onPair()).toHaveLength(2);
    for (const id of mapped) expect(Object.fromEntries(actualUnits(stack, id, EFFECTIVE)), id).toEqual(Object.fromEntries(expectedUnits(stack, id)));
    // And it stays settled: the following sync writes nothing.
    expect((await syncNow(stack, stack.partnerId)).run).toMatchObject({ status: 'ok', adjustments: 0 });
  });

  it('confirms itself when it shows up late; then it cannot be abandoned (409)', async () => {
    // A count change gives the next sync one write to make.
    const pb = stack.sims.passwordboss.partner(stack.partnerId)!;
    const month = pb.months.filter((m) => m.final).sort((a, b) => a.month.localeCompare(b.month)).at(-1)!;
    const row = month.counts.find((c) => c.productId === 'pb-standard' && mapped.includes(c.companyId))!;
    row.users += 3;
    row.licenses += 3;
    // Applied after one more read: the confirming read misses it, the next sync's planning read sees it.
    stack.sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 1, fault: { kind: 'late', reads: 1 } });
    const first = (await syncNow(stack, stack.partnerId)).run;
    const late = ours().at(-1)!;
    expect(late.applied).toBe('later');
    expect(errorsNaming(first, late.id)).toHaveLength(1);
    const { run } = await syncNow(stack, stack.partnerId);
    expect(run).toMatchObject({ status: 'ok', adjustments: 0 });
    expect(run.results.some((r) => r.detail?.includes(`adjustment ${late.id} from an earlier sync has now applied`))).toBe(true);
    const refused = await api('POST', `/pending-adjustments/${late.id}/abandon`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('adjustment_confirmed');
    expect((await api('GET', '/pending-adjustments')).json().items).toContainEqual(expect.objectContaining({ adjustmentId: late.id, resolution: 'applied' }));
  });

  it('one Autotask accepted without naming it is abandoned by its own id', async () => {
    const pb = stack.sims.passwordboss.partner(stack.partnerId)!;
    const month = pb.months.filter((m) => m.final).sort((a, b) => a.month.localeCompare(b.month)).at(-1)!;
    const row = month.counts.find((c) => c.productId === 'pb-standard' && mapped.includes(c.companyId))!;
    row.users += 4;
    row.licenses += 4;
    // Taken, answered without an itemId, and never applied: the claim has no adjustment id.
    stack.sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 1, fault: { kind: 'dropped', body: {} } });
    const first = (await syncNow(stack, stack.partnerId)).run;
    const unnamed = ours().at(-1)!;
    expect(unnamed.applied).toBe('never');
    expect(first.results.filter((r) => r.status === 'error' && r.errorType === 'AutotaskAdjustmentUnconfirmed')).toHaveLength(1);
    const onPair = () => ours().filter((a) => a.contractID === unnamed.contractID && a.serviceID === unnamed.serviceID && a.id >= unnamed.id);

    const listed = (await api('GET', '/pending-adjustments')).json().items as Array<{ id: string; adjustmentId: number | null; resolution: string | null; contractId: number; serviceId: number }>;
    const waiting = listed.filter((i) => i.resolution === null);
    expect(waiting).toEqual([expect.objectContaining({ adjustmentId: null, contractId: unnamed.contractID, serviceId: unnamed.serviceID })]);
    const { id } = waiting[0]!;

    // The next sync posts nothing to the pair and says how to abandon it: by that id.
    const { run } = await syncNow(stack, stack.partnerId);
    expect(run.status).not.toBe('ok');
    expect(run.results.find((r) => r.status === 'error' && r.autotaskServiceId === unnamed.serviceID)?.detail).toContain(`POST …/pending-adjustments/${id}/abandon`);
    expect(onPair()).toHaveLength(1);

    // Another partner's key, and an id nobody issued: not found.
    expect((await api('POST', `/pending-adjustments/${id}/abandon`, otherKey, 'other-msp')).statusCode).toBe(404);
    expect((await api('POST', '/pending-adjustments/00000000-0000-4000-8000-000000000000/abandon')).statusCode).toBe(404);
    expect((await api('POST', '/pending-adjustments/not-an-id/abandon')).statusCode).toBe(400);

    const abandoned = await api('POST', `/pending-adjustments/${id}/abandon`);
    expect(abandoned.statusCode, abandoned.body).toBe(200);
    expect(abandoned.json()).toMatchObject({ id, adjustmentId: null, resolution: 'abandoned', resolvedBy: `api-key:${partnerKey.id}` });
    expect((await api('POST', `/pending-adjustments/${id}/abandon`)).json()).toEqual(abandoned.json());

    // The next sync posts afresh, once, and every company carries its count.
    expect((await syncNow(stack, stack.partnerId)).run).toMatchObject({ status: 'ok', failed: 0, adjustments: 1 });
    expect(onPair()).toHaveLength(2);
    for (const c of mapped) expect(Object.fromEntries(actualUnits(stack, c, EFFECTIVE)), c).toEqual(Object.fromEntries(expectedUnits(stack, c)));
  });
});

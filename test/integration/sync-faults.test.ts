/**
 * The sync under faults and refusals: retryable failures end in exact units with no second
 * adjustment for any (contract, service, effective date); permanent ones fail that company fast
 * with a detail an MSP can act on; a disabled integration sends nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCompanyActivities } from '../../activities/company.ts';
import { autotaskForPartner } from '../../deps/autotask-for-partner.ts';
import { listRunCompanyPage } from '../../db/repositories/run-companies.ts';
import { ensureRun } from '../../db/repositories/sync-runs.ts';
import { claimUnitWrites } from '../../db/repositories/unit-writes.ts';
import { unitWrites } from '../../db/schema.ts';
import { eq } from 'drizzle-orm';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { actualUnits, expectedUnits, setUpPartner, syncNow, writtenAdjustments } from '../support/partner-setup.ts';

const EFFECTIVE = '2026-11-01';
const mappingOf = (stack: Stack, id: string) => stack.sims.demo.mappings.find((m) => m.pbCompanyId === id)!;

describe('retryable faults', () => {
  let stack: Stack;
  let mapped: string[];
  beforeAll(async () => {
    stack = await startStack('pglite', { demo: { companies: 24 } });
    ({ mapped } = await setUpPartner(stack));
  });
  afterAll(async () => stack?.close());

  it('ends exact, with one adjustment per contract service, through 429s, 500s, resets and lost answers', async () => {
    const f = stack.sims.autotask.faults;
    f.add({ method: 'POST', path: 'Contracts/query', fault: { kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: { errors: ['Request Threshold Exceeded'] } } });
    f.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 2, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: { errors: ['slow down'] } } });
    f.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 2, fault: { kind: 'status', status: 500, body: { errors: ['An unexpected error has occurred.  If the problem persists, please contact Autotask Support and reference Error ID: 1234'] } } });
    f.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 3, fault: { kind: 'lost' } });
    f.add({ method: 'POST', path: 'ContractServiceUnits/query', times: 2, fault: { kind: 'reset' } });
    f.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 1, fault: { kind: 'reset' } });
    const { run } = await syncNow(stack, stack.partnerId);
    expect(f.rules).toEqual([]); // every injected fault fired
    expect(run).toMatchObject({ status: 'ok', failed: 0, done: mapped.length });
    for (const id of mapped) expect(Object.fromEntries(actualUnits(stack, id, EFFECTIVE)), id).toEqual(Object.fromEntries(expectedUnits(stack, id)));
    const written = writtenAdjustments(stack);
    for (const [key, n] of written) expect(n, key).toBe(1);
    // The lost answers were adjustments that did happen: the run still counts them as its own.
    expect(written.size).toBe(run.adjustments);
    expect(run.results.filter((r) => r.detail?.includes('confirmed after a retry'))).toHaveLength(3);
    // The run's write claims went with it: they only matter while its companies can be retried.
    expect(await stack.deps.db.select().from(unitWrites).where(eq(unitWrites.runId, run.id))).toEqual([]);
  });
});

describe('a retry after some of a company\'s writes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite', { demo: { companies: 8 } });
    await setUpPartner(stack);
  });
  afterAll(async () => stack?.close());

  it('resumes after the services it finished: neither reads nor writes them again', async () => {
    const id = stack.sims.demo.notable.switched; // Standard → Advanced: two writes, 301 then 302
    const contract = mappingOf(stack, id).autotaskContractId;
    const f = stack.sims.autotask.faults;
    f.logBodies = true;
    f.log = [];
    // The first write (Standard → 0) and its confirming read succeed; the second write fails once.
    f.add({ method: 'POST', path: 'ContractServiceAdjustments', after: 1, times: 1, fault: { kind: 'status', status: 500, body: { errors: ['An unexpected error has occurred.'] } } });
    const { run } = await syncNow(stack, stack.partnerId, { companyIds: [id] });
    expect(f.rules).toEqual([]);
    expect(run).toMatchObject({ status: 'ok', failed: 0, adjustments: 2 });
    expect(Object.fromEntries(actualUnits(stack, id, EFFECTIVE))).toEqual(Object.fromEntries(expectedUnits(stack, id)));
    const aboutService = (serviceId: number) => f.log.filter((r) => JSON.stringify(r.body ?? '').includes(`${serviceId}`) && JSON.stringify(r.body ?? '').includes(`${contract}`));
    // 301: one write and one confirming read, from the first attempt only.
    expect(aboutService(301).map((r) => r.path.replace(/^.*\/v1\.0\//i, ''))).toEqual(['ContractServiceAdjustments', 'ContractServiceUnits/query']);
    // 302: the failed write, then the retry's read (it trusts nothing), its write and confirming read.
    expect(aboutService(302).map((r) => r.path.replace(/^.*\/v1\.0\//i, ''))).toEqual(['ContractServiceAdjustments', 'ContractServiceUnits/query', 'ContractServiceAdjustments', 'ContractServiceUnits/query']);
    const results = run.results.filter((r) => r.pbCompanyId === id);
    expect(results.map((r) => [r.autotaskServiceId, r.action, r.status]).sort()).toEqual([[301, 'set', 'ok'], [302, 'set', 'ok']]);
  });
});

describe('a write claimed by an attempt that never reported', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite', { demo: { companies: 8 } });
    await setUpPartner(stack);
  });
  afterAll(async () => stack?.close());

  it('is re-read before anything is written (its worker died after the write landed)', async () => {
    const id = mappingOf(stack, 'c-0002').pbCompanyId;
    stack.sims.passwordboss.partner(stack.partnerId)!.months.at(-1)!.counts.filter((c) => c.companyId === id).forEach((c) => (c.users += 3));
    // The plan as the run made it (a dry run stores the same plan), with its batched read of the units.
    const { run: dry } = await syncNow(stack, stack.partnerId, { dryRun: true, companyIds: [id] });
    const [planned] = await listRunCompanyPage(stack.deps.db, dry.id, 0, 10);
    const plan = planned!.plan;
    const [action] = plan.actions.filter((a) => a.from !== a.to);
    expect(action).toBeDefined();
    // An earlier attempt of a run claimed the write and sent it; its answer never came back.
    const runId = '0190f0f0-0000-7000-8000-0000000000d1';
    await ensureRun(stack.deps.db, { id: runId, partnerId: stack.partnerId, workflowId: 'w', trigger: 'api', dryRun: false });
    await claimUnitWrites(stack.deps.db, runId, id, [{ contractId: plan.contractId, serviceId: action!.serviceId, target: action!.to, effectiveDate: EFFECTIVE }]);
    const client = await autotaskForPartner(stack.deps, stack.partnerId);
    await client.createAdjustment({ contractId: plan.contractId, serviceId: action!.serviceId, effectiveDate: EFFECTIVE, unitChange: action!.to - action!.from });

    const f = stack.sims.autotask.faults;
    f.log = [];
    const result = await new MockActivityEnvironment().run(createCompanyActivities(stack.deps).applyCompanyPlan, { partnerId: stack.partnerId, runId, effectiveDate: EFFECTIVE, dryRun: false, plan });
    // Trusting the plan's read would have added the difference a second time.
    expect(f.log.map((r) => `${r.method} ${r.path.replace(/^.*\/v1\.0\//i, '')}`)).toEqual(['POST ContractServiceUnits/query']);
    expect(Object.fromEntries(actualUnits(stack, id, EFFECTIVE))).toEqual(Object.fromEntries(expectedUnits(stack, id)));
    expect(result).toMatchObject({ pbCompanyId: id, status: 'ok', unitsChanged: action!.to - action!.from });
  });
});

describe('permanent refusals', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite', { demo: { companies: 16 } });
    await setUpPartner(stack, { includeBroken: true });
  });
  afterAll(async () => stack?.close());
  beforeEach(() => stack.sims.autotask.faults.clear());

  it('fails a company whose period is posted, fast, and still syncs the others', async () => {
    const posted = mappingOf(stack, 'c-0003');
    stack.sims.autotask.state.data.postedThrough.push({ contractID: posted.autotaskContractId, through: '2026-11-30' });
    stack.sims.passwordboss.partner(stack.partnerId)!.months.at(-1)!.counts.forEach((c) => (c.users += 2));
    const { run } = await syncNow(stack, stack.partnerId);
    const result = run.results.find((r) => r.pbCompanyId === 'c-0003' && r.status === 'error')!;
    expect(result).toMatchObject({ errorType: 'AutotaskValidation', detail: expect.stringContaining('approved and posted') });
    const attempts = stack.sims.autotask.faults.log.filter((r) => r.method === 'POST' && /adjustments/i.test(r.path) && (r.body as { contractID?: number })?.contractID === posted.autotaskContractId);
    expect(attempts).toHaveLength(1); // non-retryable: no second try
    expect(run.failed).toBe(3); // posted + ended + not recurring
    expect(Object.fromEntries(actualUnits(stack, 'c-0002', EFFECTIVE))).toEqual(Object.fromEntries(expectedUnits(stack, 'c-0002')));
    const list = (await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/company-mappings?status=error`, headers: bearer(stack.adminKey) })).json();
    expect(list.items.map((i: { pbCompanyId: string }) => i.pbCompanyId).sort()).toEqual(['c-0003', stack.sims.demo.notable.endedContract, stack.sims.demo.notable.otherTypeOnly].sort());
  });

  it('says to fix the credentials when Autotask rejects the secret, for every company', async () => {
    stack.sims.autotask.state.data.users[0]!.secret = 'rotated-by-the-msp';
    const { run } = await syncNow(stack, stack.partnerId);
    expect(run.status).toBe('error');
    expect(run.detail).toMatch(/rejected the secret .* re-enter it/);
    const list = (await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/company-mappings?limit=100&mapped=true`, headers: bearer(stack.adminKey) })).json();
    for (const item of list.items) expect(item).toMatchObject({ status: 'error', detail: expect.stringMatching(/re-enter it in the integration settings/) });
    expect(JSON.stringify(run)).not.toContain('rotated-by-the-msp');
  });
});

describe('a disabled integration', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite', { demo: { companies: 12 } });
    await setUpPartner(stack, { enabled: false });
    const put = await stack.app.inject({ method: 'PUT', url: `/v1/partners/${stack.partnerId}/schedule`, headers: bearer(stack.adminKey), payload: { frequency: 'daily', time: '06:00', timezone: 'America/New_York' } });
    expect(put.statusCode).toBe(200);
  });
  afterAll(async () => stack?.close());

  it('sends nothing to Autotask, records the run as skipped, and keeps the schedule paused', async () => {
    stack.sims.autotask.faults.log = [];
    const handle = await stack.client.workflow.start('partnerSync', { taskQueue: stack.taskQueue, workflowId: `partner-sync/${stack.partnerId}/from-ui`, args: [{ partnerId: stack.partnerId }] });
    const summary = await handle.result();
    expect(summary).toMatchObject({ status: 'skipped', detail: expect.stringContaining('disabled') });
    expect(stack.sims.autotask.faults.log).toEqual([]);
    const schedule = await stack.client.schedule.getHandle(`partner-sync/${stack.partnerId}`).describe();
    expect(schedule.state.paused).toBe(true);
    const run = (await stack.app.inject({ url: `/v1/partners/${stack.partnerId}/sync-runs/${handle.firstExecutionRunId}`, headers: bearer(stack.adminKey) })).json();
    expect(run.status).toBe('skipped');
  });

  it('refuses "sync now" with 409 but allows a dry run, which writes nothing', async () => {
    const refused = await stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/sync`, headers: bearer(stack.adminKey), payload: {} });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('integration_disabled');
    const { run } = await syncNow(stack, stack.partnerId, { dryRun: true });
    expect(run.results.length).toBeGreaterThan(0);
    expect(stack.sims.autotask.state.adjustments.filter((a) => a.at > 0)).toEqual([]);
  });
});

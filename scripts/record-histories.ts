/**
 * `npm run histories:record -- --release 2026-11-29 [--force]`: runs the representative shapes of
 * a sync (test/replay/fixtures.ts) against the simulators and saves their workflow histories as
 * JSON under test/fixtures/histories/<release>/. The replay test replays every release's
 * histories with the current workflow code, so a change that would break a run in flight fails
 * CI (docs/workflow-versioning.md).
 *
 * Everything it needs is started here and stopped at the end: an in-memory Temporal dev server,
 * both simulators, an in-memory PGlite database and a worker that bundles today's workflows.
 * A release folder that exists is never replaced without --force: fixtures are re-recorded on
 * purpose, not as a side effect. Each history is checked for the shape it stands for (a durable
 * timer really appears, the chain really continued as new, …) and for secrets before anything
 * is written.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Client, Connection, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Deps } from '../deps/deps.ts';
import { createDb } from '../db/client.ts';
import { setEnabled, upsertSettings } from '../db/repositories/autotask-settings.ts';
import { refreshCompanies, saveCompanyMapping } from '../db/repositories/company-mappings.ts';
import { insertPartner } from '../db/repositories/partners.ts';
import { replaceProductMappings } from '../db/repositories/product-mappings.ts';
import { createSecretBox } from '../db/secret-box.ts';
import { PasswordBossClient } from '../integrations/passwordboss/client.ts';
import { resolveTemporalCli } from '../runtime/temporal-cli.ts';
import { startTemporalDevServer } from '../runtime/temporal-dev-server.ts';
import { FIXED_NOW, startSimulators, type Simulators } from '../test/support/simulators.ts';
import { fixtureFileName, historiesDir, historyToFixture, localActivities, releasePattern, shapes, textsOf, type Shape, type WorkflowType } from '../test/replay/fixtures.ts';
import { createSyncWorker } from '../worker/create-worker.ts';
import type { companySync } from '../workflows/company-sync.ts';
import { companyWorkflowId, partnerWorkflowId, type PartnerSyncInput } from '../workflows/inputs.ts';
import type { partnerSync, PartnerSyncSummary } from '../workflows/partner-sync.ts';
import { PartnerIdKey, SEARCH_ATTRIBUTES, SyncTriggerKey } from '../workflows/search-attributes.ts';

/** Fixed, so a re-recording differs from the last one only where the workflows do. */
const PARTNER = 'recorded-partner';
/** Mapped companies: valid contracts only; c-0006 switches product, so it writes twice. */
const MAPPED = ['c-0002', 'c-0003', 'c-0004', 'c-0005', 'c-0006'];
const TASK_QUEUE = 'record-histories';
/** A queue no worker polls: a companySync started there stays open, so the parent finds it busy. */
const IDLE_QUEUE = 'record-histories-idle';

/** A refusal the user can act on: printed without a stack trace. */
class UsageError extends Error {}

const argsSchema = z.object({
  release: z.string().regex(releasePattern, 'use the release date, YYYY-MM-DD'),
  force: z.boolean().default(false),
});

interface Recording {
  shape: Shape;
  workflowType: WorkflowType;
  history: History;
}

interface Context {
  client: Client;
  sims: Simulators;
  db: Awaited<ReturnType<typeof createDb>>;
  save(shape: Shape, workflowType: WorkflowType, history: History): void;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { release: { type: 'string' }, force: { type: 'boolean' } }, strict: true });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(`usage: npm run histories:record -- --release YYYY-MM-DD [--force]\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  const { release, force } = parsed.data;
  const target = path.join(historiesDir, release);
  if (existsSync(target) && !force) throw new UsageError(`${path.relative(process.cwd(), target)} exists: its fixtures stand for runs of that release. Pick a new release date, or pass --force to re-record it on purpose.`);

  // Local activities failing on purpose (the 429s below) would log a warning per attempt.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const secretsKey = randomBytes(32);
  log('starting the Temporal dev server, the simulators, a database and a worker…');
  const temporalServer = await startTemporalDevServer({ binary: resolveTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH }), searchAttributes: SEARCH_ATTRIBUTES, ui: false, port: 0 });
  const cleanups: Array<() => Promise<void>> = [() => temporalServer.stop()];
  const partial = path.join(historiesDir, `.${release}.partial-${process.pid}`);
  try {
    const sims = await startSimulators({ companies: 8, partnerId: PARTNER });
    cleanups.unshift(() => sims.close());
    const db = await createDb({ dataDir: 'memory://' });
    cleanups.unshift(() => db.close());
    await db.migrate();
    const deps: Deps = {
      db: db.db,
      secretBox: createSecretBox(secretsKey),
      autotask: { zoneLookupUrl: sims.zoneLookupUrl, defaultTrackingIdentifier: sims.demo.credentials.trackingIdentifier },
      passwordboss: new PasswordBossClient({ baseUrl: sims.passwordbossUrl, token: sims.passwordbossToken }),
      now: () => FIXED_NOW,
    };
    cleanups.unshift(() => deps.passwordboss.close());
    await setUpPartner(db.db, sims, deps);

    const nativeConnection = await NativeConnection.connect({ address: temporalServer.address });
    cleanups.unshift(() => nativeConnection.close());
    const worker = await createSyncWorker({ connection: nativeConnection, namespace: 'default', taskQueue: TASK_QUEUE, deps, shutdownGraceTime: '1 second' });
    const running = worker.run();
    cleanups.unshift(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    const connection = await Connection.connect({ address: temporalServer.address });
    cleanups.unshift(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });

    // Every secret the recording could leak: the Autotask secret, the Password Boss token, the key
    // that seals secrets in the database (hex and base64, the ways it is ever written).
    const secrets = [sims.demo.credentials.secret, sims.passwordbossToken, secretsKey.toString('hex'), secretsKey.toString('base64')];
    const recordings: Recording[] = [];
    const ctx: Context = {
      client,
      sims,
      db,
      save(shape, workflowType, history) {
        if (!(shapes[shape] as readonly string[]).includes(workflowType)) throw new Error(`shape ${shape} does not record ${workflowType}`);
        const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
        if (started?.workflowType?.name !== workflowType) throw new Error(`${shape}: expected a ${workflowType} history, got ${started?.workflowType?.name}`);
        const leaked = secrets.filter((s) => textsOf(history).some((t) => t.includes(s)));
        if (leaked.length) throw new Error(`${shape}-${workflowType}: the history contains a secret; nothing was written`);
        recordings.push({ shape, workflowType, history });
      },
    };

    for (const [label, record] of steps) {
      const started = Date.now();
      await record(ctx);
      log(`  recorded ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    for (const [shape, types] of Object.entries(shapes)) {
      for (const type of types) if (!recordings.some((r) => r.shape === shape && r.workflowType === type)) throw new Error(`nothing recorded for ${shape}-${type}`);
    }

    // Written to a side folder and moved in whole, so a failed recording leaves no half release.
    mkdirSync(partial, { recursive: true });
    for (const r of recordings) writeFileSync(path.join(partial, fixtureFileName(r.shape, r.workflowType)), historyToFixture(r.history));
    if (existsSync(target)) rmSync(target, { recursive: true });
    renameSync(partial, target);
    let total = 0;
    for (const r of recordings) {
      const file = path.join(target, fixtureFileName(r.shape, r.workflowType));
      const size = statSync(file).size;
      total += size;
      process.stdout.write(`wrote ${path.relative(process.cwd(), file)} (${r.history.events?.length ?? 0} events, ${(size / 1024).toFixed(1)} KB)\n`);
    }
    process.stdout.write(`${recordings.length} histories, ${(total / 1024).toFixed(1)} KB; no secret found in them (checked the Autotask secret, the Password Boss token and the secrets key in every payload)\n`);
  } finally {
    rmSync(partial, { recursive: true, force: true });
    for (const cleanup of cleanups) await cleanup().catch((err: unknown) => log(`cleanup: ${(err as Error).message}`));
  }
}

/** The partner as the portal would leave it: credentials sealed, products and companies mapped. */
async function setUpPartner(db: Deps['db'], sims: Simulators, deps: Deps): Promise<void> {
  const demo = sims.demo;
  await insertPartner(db, demo.partner);
  await upsertSettings(db, PARTNER, { username: demo.credentials.username, secretCiphertext: deps.secretBox.seal(demo.credentials.secret, PARTNER), trackingIdentifier: null, enabled: true, countBasis: 'users' });
  await replaceProductMappings(db, PARTNER, [
    { productId: 'pb-standard', productName: 'Password Boss Standard', autotaskServiceId: 301, autotaskServiceName: 'Password Boss Standard' },
    { productId: 'pb-advanced', productName: 'Password Boss Advanced', autotaskServiceId: 302, autotaskServiceName: 'Password Boss Advanced' },
  ]);
  await refreshCompanies(db, PARTNER, demo.passwordboss.partners[0]!.companies);
  for (const id of MAPPED) {
    const mapping = demo.mappings.find((m) => m.pbCompanyId === id);
    if (!mapping) throw new Error(`the demo data has no mapping for ${id}`);
    await saveCompanyMapping(db, PARTNER, id, mapping);
  }
}

/** One more user in Password Boss's latest final month, so the next run has a write to make. */
function bump(sims: Simulators, ids: string[]): void {
  const months = sims.passwordboss.partner(PARTNER)!.months.filter((m) => m.final).sort((a, b) => a.month.localeCompare(b.month));
  const counts = months.at(-1)!.counts.filter((c) => ids.includes(c.companyId));
  if (counts.length < ids.length) throw new Error(`no count to change for one of ${ids.join(', ')}`);
  for (const c of counts) c.users += 1;
}

/** Starts partnerSync the way "sync now" does (services/sync-starter.ts) and waits for it. */
async function runPartnerSync(ctx: Context, kind: 'now' | 'dry-run', input: PartnerSyncInput): Promise<{ handle: WorkflowHandleWithFirstExecutionRunId<typeof partnerSync>; summary: PartnerSyncSummary }> {
  const trigger = input.trigger ?? 'temporal-ui';
  const handle = await ctx.client.workflow.start<typeof partnerSync>('partnerSync', {
    taskQueue: TASK_QUEUE,
    workflowId: partnerWorkflowId(PARTNER, kind),
    args: [input],
    typedSearchAttributes: [{ key: PartnerIdKey, value: PARTNER }, { key: SyncTriggerKey, value: trigger }],
  });
  return { handle, summary: await handle.result() };
}

/** The history of the latest run of a company's workflow (the one the run just finished). */
const childHistory = (ctx: Context, pbCompanyId: string) => ctx.client.workflow.getHandle(companyWorkflowId(PARTNER, pbCompanyId)).fetchHistory();
const parentHistory = (handle: WorkflowHandleWithFirstExecutionRunId, runId = handle.firstExecutionRunId) => handle.client.getHandle(handle.workflowId, runId).fetchHistory();

function expectThat(condition: boolean, what: string): void {
  if (!condition) throw new Error(`the recorded run is not the shape it should be: ${what}`);
}

/**
 * Each step drives the sync into a branch, checks it got there, and saves its histories. In this
 * order, since each leaves the partner's data to the next (see the comments on c-0003).
 */
const steps: Array<[label: string, record: (ctx: Context) => Promise<void>]> = [
  ['small', async (ctx) => {
    bump(ctx.sims, ['c-0002']);
    const { handle, summary } = await runPartnerSync(ctx, 'now', { partnerId: PARTNER, trigger: 'manual', dryRun: false });
    expectThat(summary.status === 'ok' && summary.done === MAPPED.length && summary.adjustments > 0, `a run that writes (${JSON.stringify(summary)})`);
    const child = await childHistory(ctx, 'c-0002');
    expectThat(localActivities(child).includes('applyCompanyPlan'), 'c-0002 applied its plan');
    ctx.save('small', 'partnerSync', await parentHistory(handle));
    ctx.save('small', 'companySync', child);
  }],

  ['dry-run', async (ctx) => {
    bump(ctx.sims, ['c-0003']);
    const { handle, summary } = await runPartnerSync(ctx, 'dry-run', { partnerId: PARTNER, trigger: 'manual', dryRun: true });
    expectThat(summary.status === 'ok' && summary.done === MAPPED.length && summary.adjustments === 0, `a dry run of every company (${JSON.stringify(summary)})`);
    const child = await childHistory(ctx, 'c-0003');
    expectThat(localActivities(child).join() === 'recordCompanyResult', 'the dry run child recorded without writing');
    ctx.save('dry-run', 'partnerSync', await parentHistory(handle));
    ctx.save('dry-run', 'companySync', child);
  }],

  ['retry-timer', async (ctx) => {
    // c-0003 still has the change the dry run left alone. A Retry-After past companyWrites'
    // 10 s local retry threshold makes the SDK wait on a server-side timer, not in the worker.
    ctx.sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 1, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '11' }, body: { errors: ['Request Threshold Exceeded'] } } });
    const { handle, summary } = await runPartnerSync(ctx, 'now', { partnerId: PARTNER, trigger: 'manual', dryRun: false, companyIds: ['c-0003'] });
    expectThat(ctx.sims.autotask.faults.rules.length === 0, 'the 429 was answered');
    expectThat(summary.status === 'ok' && summary.failed === 0 && summary.adjustments === 1, `the retried write landed (${JSON.stringify(summary)})`);
    const child = await childHistory(ctx, 'c-0003');
    expectThat((child.events ?? []).some((e) => e.timerStartedEventAttributes), 'a durable timer in the company\'s history');
    ctx.save('retry-timer', 'partnerSync', await parentHistory(handle));
    ctx.save('retry-timer', 'companySync', child);
  }],

  ['failed-company', async (ctx) => {
    // Answered with 429 and Retry-After: 1 more often than companyWrites' 8 attempts: retries run
    // out inside the worker within seconds, and the child records the failure itself.
    bump(ctx.sims, ['c-0004']);
    ctx.sims.autotask.faults.add({ method: 'POST', path: 'ContractServiceAdjustments', times: 20, fault: { kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: { errors: ['Request Threshold Exceeded'] } } });
    const { handle, summary } = await runPartnerSync(ctx, 'now', { partnerId: PARTNER, trigger: 'manual', dryRun: false, companyIds: ['c-0004'] });
    ctx.sims.autotask.faults.clear();
    expectThat(summary.failed === 1 && summary.adjustments === 0, `the company failed (${JSON.stringify(summary)})`);
    const child = await childHistory(ctx, 'c-0004');
    expectThat(localActivities(child).join() === 'applyCompanyPlan,recordCompanyResult', 'the child recorded the failure after its writes gave up');
    ctx.save('failed-company', 'partnerSync', await parentHistory(handle));
    ctx.save('failed-company', 'companySync', child);
  }],

  ['continue-as-new and continued', async (ctx) => {
    // Two children per run: five companies make three runs (2, 2, then 1 and the finish).
    bump(ctx.sims, MAPPED);
    const { handle, summary } = await runPartnerSync(ctx, 'now', { partnerId: PARTNER, trigger: 'manual', dryRun: false, tuning: { continueAsNewAfter: 2, pageSize: 2, childConcurrency: 2 } });
    expectThat(summary.status === 'ok' && summary.done === MAPPED.length, `every company synced across the chain (${JSON.stringify(summary)})`);
    const first = await parentHistory(handle);
    expectThat(first.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes != null, 'the first run continued as new');
    const last = await handle.client.getHandle(handle.workflowId).fetchHistory();
    const lastStarted = last.events?.[0]?.workflowExecutionStartedEventAttributes;
    expectThat(!!lastStarted?.continuedExecutionRunId && last.events?.at(-1)?.workflowExecutionCompletedEventAttributes != null, 'the last run started from a continuation and completed');
    ctx.save('continue-as-new', 'partnerSync', first);
    ctx.save('continued', 'partnerSync', last);
  }],

  ['busy-company', async (ctx) => {
    const blocker = await ctx.client.workflow.start<typeof companySync>('companySync', {
      taskQueue: IDLE_QUEUE,
      workflowId: companyWorkflowId(PARTNER, 'c-0005'),
      args: [{ partnerId: PARTNER, runId: 'blocker', effectiveDate: '2026-11-01', dryRun: true, plan: { pbCompanyId: 'c-0005', pbCompanyName: 'Keystone Insurance', contractId: 1, contractName: null, actions: [], problems: [] } }],
    });
    try {
      const { handle, summary } = await runPartnerSync(ctx, 'now', { partnerId: PARTNER, trigger: 'manual', dryRun: false, companyIds: ['c-0005'] });
      expectThat(summary.done === 1 && summary.failed === 0, `the busy company was skipped (${JSON.stringify(summary)})`);
      const parent = await parentHistory(handle);
      expectThat((parent.events ?? []).some((e) => e.startChildWorkflowExecutionFailedEventAttributes), 'the child could not start');
      ctx.save('busy-company', 'partnerSync', parent);
    } finally {
      await blocker.terminate('recording finished');
    }
  }],

  ['disabled', async (ctx) => {
    await setEnabled(ctx.db.db, PARTNER, false);
    // Started as from the Temporal UI: the API would refuse a disabled partner before Temporal.
    const { handle, summary } = await runPartnerSync(ctx, 'now', { partnerId: PARTNER });
    await setEnabled(ctx.db.db, PARTNER, true);
    expectThat(summary.status === 'skipped' && /disabled/.test(summary.detail ?? ''), `skipped as disabled (${JSON.stringify(summary)})`);
    ctx.save('disabled', 'partnerSync', await parentHistory(handle));
  }],

  ['planning-failed', async (ctx) => {
    const user = ctx.sims.autotask.state.data.users[0]!;
    const secret = user.secret;
    user.secret = `rotated-${randomBytes(4).toString('hex')}`;
    try {
      const { handle, summary } = await runPartnerSync(ctx, 'now', { partnerId: PARTNER, trigger: 'manual', dryRun: false });
      expectThat(summary.status === 'error' && /rejected the secret/.test(summary.detail ?? ''), `planning failed on the secret (${JSON.stringify(summary)})`);
      ctx.save('planning-failed', 'partnerSync', await parentHistory(handle));
    } finally {
      user.secret = secret;
    }
  }],
];

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof UsageError ? err.message : ((err as Error).stack ?? String(err))}\n`);
      process.exit(1);
    }
  );
}

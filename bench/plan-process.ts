/**
 * The planning step alone, in a process of its own with the worker's Node flags
 * (`npm run bench -- plan`): runs the planRun activity for a first run (which adopts every pair
 * into the ledger) and a second where nothing moved, and prints its memory as one JSON line.
 * No Temporal server and no workflow thread, so what it shows is the planning's own share of the
 * worker's peak RSS, quickly.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { z } from 'zod';
import { createActivities } from '../activities/index.ts';
import type { PlanRunResult } from '../activities/plan-run.ts';
import { createDb } from '../db/client.ts';
import { createSecretBox } from '../db/secret-box.ts';
import { ensureRun } from '../db/repositories/sync-runs.ts';
import { PasswordBossClient } from '../integrations/passwordboss/client.ts';

const config = z.object({
  databaseUrl: z.string(),
  partnerId: z.string(),
  zoneLookupUrl: z.string(),
  passwordbossUrl: z.string(),
  secretsKeyHex: z.string(),
  trackingIdentifier: z.string(),
  now: z.string(),
}).parse(JSON.parse(process.argv[2] ?? '{}'));

const mib = (bytes: number) => Math.round(bytes / 1_048_576);
const peakMib = () => Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024);

const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: 'unused' });
const activities = createActivities({
  db: db.db,
  secretBox: createSecretBox(Buffer.from(config.secretsKeyHex, 'hex')),
  autotask: { zoneLookupUrl: config.zoneLookupUrl, defaultTrackingIdentifier: config.trackingIdentifier },
  passwordboss: new PasswordBossClient({ baseUrl: config.passwordbossUrl, token: 'bench' }),
  now: () => new Date(config.now),
});

const plan = async () => {
  const runId = randomUUID();
  // Each run's own peak: "5" resets the kernel's high-water mark (VmHWM) to the current RSS.
  writeFileSync('/proc/self/clear_refs', '5');
  const rss = mib(process.memoryUsage().rss);
  await ensureRun(db.db, { id: runId, partnerId: config.partnerId, workflowId: `plan-bench/${runId}`, trigger: 'api', dryRun: false });
  const started = performance.now();
  const result: PlanRunResult = await new MockActivityEnvironment().run(activities.planRun, { partnerId: config.partnerId, runId, dryRun: false, timezone: 'UTC' });
  return { seconds: (performance.now() - started) / 1000, state: result.state, total: result.state === 'planned' ? result.total : 0, rss, peak: peakMib() };
};

const ready = { rss: mib(process.memoryUsage().rss), peak: peakMib() };
const first = await plan();
const second = await plan();
const m = process.memoryUsage();
process.stdout.write(`${JSON.stringify({ ready, first, second, after: { rss: mib(m.rss), heapTotal: mib(m.heapTotal), heapUsed: mib(m.heapUsed), external: mib(m.external) } })}\n`);
await db.close();
process.exit(0);

/**
 * Issue 13's property test: random sequences of count changes, mapping moves and stops,
 * exclusions, toggles, overlapping runs, abandoned adjustments and injected Autotask faults,
 * against the simulators and the real service; after every command, and after a final quiet run,
 * the billing rules hold (docs/design.md rules 4, 6–9, 8b, 12). The model and the expected units
 * come from the rules (test/property/model.ts), never from the planner. Each case checks every
 * family of invariants (test/property/harness.ts: units, writes, ownership, ledger, outcomes).
 *
 * Part of `npm test`. PROPERTY_RUNS sets the cases through the real activities (default 200 under
 * CI, 15 otherwise), PROPERTY_TEMPORAL_RUNS through Temporal (default 4); PROPERTY_SEED (and
 * PROPERTY_PATH, to go straight to the shrunk case) replays a failure, whose message prints both;
 * PROPERTY_TIME_LIMIT_S bounds each property, shrinking included; PROPERTY_TRACE=1 prints how long
 * each command took.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';
import { FAMILIES, runScenario, type Driver } from './harness.ts';
import { scenarioArb, type CommandSet } from './model.ts';

const runs = Number(process.env.PROPERTY_RUNS ?? (process.env.CI ? 200 : 15));
const temporalRuns = Number(process.env.PROPERTY_TEMPORAL_RUNS ?? 4);
const seed = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined;
const path = process.env.PROPERTY_PATH;
const timeLimitMs = Number(process.env.PROPERTY_TIME_LIMIT_S ?? 600) * 1000;

async function check(stack: Stack, driver: Driver, set: CommandSet, numRuns: number) {
  const started = Date.now();
  const out = await fc.check(
    fc.asyncProperty(scenarioArb(set), async (scenario) => {
      const violations = await runScenario(stack, scenario, driver);
      const broken = FAMILIES.flatMap((f) => violations[f].slice(0, 5).map((v) => `[${f}] ${v}`));
      if (broken.length) throw new Error(`broken rules:\n${broken.join('\n')}`);
    }),
    { numRuns, ...(seed !== undefined ? { seed } : {}), ...(path ? { path } : {}), interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: false }
  );
  if (process.env.PROPERTY_TRACE) process.stderr.write(`${driver}: ${out.numRuns} cases in ${Math.round((Date.now() - started) / 1000)} s\n`);
  if (out.failed) {
    // The seed and path first: they are what it takes to replay the failure.
    const cause = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    throw new Error(`billing invariants broken through the ${driver}; replay with PROPERTY_SEED=${out.seed} PROPERTY_PATH=${out.counterexamplePath ?? ''}\n${cause}\n${fc.defaultReportMessage(out)}`);
  }
}

const TIMEOUT = timeLimitMs + 120_000;

describe('billing invariants, through the real activities', () => {
  let stack: Stack;
  beforeAll(async () => {
    // One company writes at a time here: a confirming read has no other to wait for.
    stack = await startStack('pglite', { worker: false, confirmReads: { lingerMs: 1 } });
  });
  afterAll(async () => stack?.close());

  it('every family holds over the full command set', async () => {
    await check(stack, 'activities', { restricted: false, midRunDisable: true }, runs);
  }, TIMEOUT);
});

describe('billing invariants, through Temporal', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('pglite');
  });
  afterAll(async () => stack?.close());

  // The Temporal driver cannot time a disable between planning and the first write.
  it('every family holds over the full command set', async () => {
    await check(stack, 'temporal', { restricted: false, midRunDisable: false }, temporalRuns);
  }, TIMEOUT);
});

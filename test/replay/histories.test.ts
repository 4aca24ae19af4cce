/**
 * Deploy safety: every recorded history of every release (test/fixtures/histories/<release>/)
 * replays with today's workflow bundle. A change that makes partnerSync or companySync issue
 * different commands than the code that wrote a history would leave such a run stuck on a
 * nondeterminism error after a deploy; here it fails CI instead, naming the fixture and the event
 * (docs/workflow-versioning.md says how to make such a change safely).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { generateDemoData } from '../../simulators/demo-data.ts';
import { historyFromFixture, listFixtures, shapes, textsOf, workflowTypes, type FixtureFile } from './fixtures.ts';

const fixtures = listFixtures();
const releases = [...new Set(fixtures.map((f) => f.release))].sort();
const load = (f: FixtureFile) => historyFromFixture(JSON.parse(readFileSync(f.path, 'utf8')));
/** The workflow ID a fixture replays under: histories do not carry their own. */
const replayId = (f: FixtureFile) => `${f.release}/${f.file}`;

describe('recorded workflow histories', () => {
  it('cover every workflow type in every release, and every shape in the newest', () => {
    expect(releases.length, 'no release folder under test/fixtures/histories').toBeGreaterThan(0);
    for (const release of releases) {
      const types = new Set(fixtures.filter((f) => f.release === release).map((f) => f.workflowType));
      expect([...types].sort(), `workflow types recorded for ${release}`).toEqual([...workflowTypes].sort());
    }
    // Older releases keep what they recorded; the newest must have every shape the code has today.
    const newest = releases.at(-1)!;
    const expected = Object.entries(shapes).flatMap(([shape, types]) => types.map((type) => `${shape}-${type}.json`)).sort();
    const present = fixtures.filter((f) => f.release === newest).map((f) => f.file).sort();
    expect(expected.filter((file) => !present.includes(file)), `fixtures missing from ${newest}`).toEqual([]);
  });

  it('are histories of the workflow type their file names', () => {
    for (const f of fixtures) {
      const started = load(f).events?.[0]?.workflowExecutionStartedEventAttributes;
      expect(started?.workflowType?.name, replayId(f)).toBe(f.workflowType);
    }
  });

  it('hold no secret of the simulators they were recorded against', () => {
    const demo = generateDemoData({ companies: 1 });
    const secrets = [demo.credentials.secret, 'pb-test-token'];
    for (const f of fixtures) {
      const texts = textsOf(load(f));
      for (const secret of secrets) expect(texts.some((t) => t.includes(secret)), `${replayId(f)} contains a secret`).toBe(false);
    }
  });

  it('replay with the current workflow code', async () => {
    const byId = new Map(fixtures.map((f) => [replayId(f), f]));
    const results = Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, replayName: 'recorded-histories' },
      fixtures.map((f) => ({ workflowId: replayId(f), history: load(f) }))
    );
    const replayed: string[] = [];
    const diverged: string[] = [];
    for await (const result of results) {
      replayed.push(result.workflowId);
      if (result.error) diverged.push(`${result.workflowId} (${byId.get(result.workflowId)?.workflowType}): ${result.error.name}: ${result.error.message}`);
    }
    expect(diverged, 'histories the current workflow code cannot replay').toEqual([]);
    expect(replayed.sort()).toEqual([...byId.keys()].sort());
  });
});

/**
 * The recorded workflow histories: where they live, how their files are named, and which shapes
 * every release must carry. Shared by the recorder (scripts/record-histories.ts) and the replay
 * test, so the two cannot disagree about what a complete release folder is.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';

export const historiesDir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'histories');

/** Every workflow type the worker registers (workflows/index.ts): each must have a fixture. */
export const workflowTypes = ['partnerSync', 'companySync'] as const;
export type WorkflowType = (typeof workflowTypes)[number];

/**
 * The branches a history can take through the workflows' commands, and which workflow type's
 * history each shape records. A child's history is kept where its path differs: with writes
 * (small), after a durable timer (retry-timer), without writes (dry-run), after its write activity
 * failed for good (failed-company).
 */
export const shapes = {
  /** Plan, fan out, children write through Autotask, finish. */
  small: ['partnerSync', 'companySync'],
  /** The first run of a chain: drains its window, then continues as new. */
  'continue-as-new': ['partnerSync'],
  /** The last run of that chain: starts from the continuation (no startRun, no planning) and finishes. */
  continued: ['partnerSync'],
  /** A company's write answered 429 with a Retry-After past the local retry threshold: a durable timer. */
  'retry-timer': ['partnerSync', 'companySync'],
  /** Plans and records, writes nothing: the child records its outcome itself. */
  'dry-run': ['partnerSync', 'companySync'],
  /** The integration is disabled: startRun, then finish as skipped. */
  disabled: ['partnerSync'],
  /** A company's writes kept failing until retries ran out: the child records the failure. */
  'failed-company': ['partnerSync', 'companySync'],
  /** The company's workflow was already running: the parent records it as skipped. */
  'busy-company': ['partnerSync'],
  /** Planning failed for good (Autotask rejected the secret): every company gets the reason. */
  'planning-failed': ['partnerSync'],
} as const satisfies Record<string, readonly WorkflowType[]>;
export type Shape = keyof typeof shapes;

/** A release folder is the date the release was cut: `2026-11-29`. */
export const releasePattern = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A fixture is protobufjs's JSON form of the History message (enums by name, 64-bit numbers and
 * bytes as strings), written and read by the same protobufjs copy that defines the message. Not
 * the SDK's historyToJSON/historyFromJSON (the Temporal CLI's JSON): with @temporalio 1.24.0 npm
 * installs a separate protobufjs 8 under common, proto and worker (grpc-js holds the top-level
 * one at 7), and those functions then throw "type must be a Type" on every call.
 */
// A CommonJS module whose exports ESM cannot name statically: its default export is the root.
const HistoryMessage = proto.temporal.api.history.v1.History;

export function historyToFixture(history: History): string {
  return `${JSON.stringify(HistoryMessage.toObject(HistoryMessage.fromObject(history), { longs: String, enums: String, bytes: String }), null, 1)}\n`;
}

export function historyFromFixture(json: unknown): proto.temporal.api.history.v1.History {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) throw new TypeError('a history fixture is an object with an array of events');
  return HistoryMessage.fromObject(json);
}

export const fixtureFileName = (shape: Shape, workflowType: WorkflowType) => `${shape}-${workflowType}.json`;

export interface FixtureFile {
  release: string;
  file: string;
  path: string;
  shape: string;
  workflowType: WorkflowType;
}

const fileNamePattern = new RegExp(`^(.+)-(${workflowTypes.join('|')})\\.json$`);

/** Every fixture of every release folder; a file that does not follow the naming is an error. */
export function listFixtures(dir = historiesDir): FixtureFile[] {
  const out: FixtureFile[] = [];
  for (const release of readdirSync(dir, { withFileTypes: true })) {
    if (!release.isDirectory()) continue;
    if (!releasePattern.test(release.name)) throw new Error(`${path.join(dir, release.name)}: release folders are named by date (YYYY-MM-DD)`);
    for (const file of readdirSync(path.join(dir, release.name)).sort()) {
      const match = fileNamePattern.exec(file);
      if (!match) throw new Error(`${path.join(dir, release.name, file)}: fixtures are named <shape>-<workflowType>.json`);
      out.push({ release: release.name, file, path: path.join(dir, release.name, file), shape: match[1]!, workflowType: match[2] as WorkflowType });
    }
  }
  return out;
}

/**
 * Local activity types in a history, in order. They are markers whose details carry the SDK's
 * own JSON record of the call (`activity_type`), so they are read from the payload.
 */
export function localActivities(history: History): string[] {
  const types: string[] = [];
  for (const event of history.events ?? []) {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') continue;
    const data = marker.details?.data?.payloads?.[0]?.data;
    const record = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string; activityType?: string }) : {};
    types.push(record.activity_type ?? record.activityType ?? '?');
  }
  return types;
}

/** Every string and byte field of a history as text: payloads are bytes, so a secret hides there. */
export function textsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) for (const v of value) textsOf(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) textsOf(v, out);
  return out;
}

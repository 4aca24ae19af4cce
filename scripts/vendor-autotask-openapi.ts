/**
 * Cuts the part of Autotask's Swagger 2.0 document that the conformance test
 * (test/integration/autotask-openapi-conformance.test.ts) checks, and saves it as
 * test/fixtures/autotask-openapi-subset.json. Run it by hand when the client or the simulator
 * starts using another entity, or when Autotask publishes a new document:
 *
 *   curl -s https://webservices.autotask.net/ATServicesRest/swagger/docs/v1 -o /tmp/autotask.json
 *   node --import tsx scripts/vendor-autotask-openapi.ts /tmp/autotask.json
 *
 * What it keeps: for each entity the simulator serves (simulators/autotask/entities.ts) plus the
 * ones only the client calls, the entity's own paths (`/V1.0/<Entity>`, `/{id}`, `/query`,
 * `/query/count`, `/entityInformation…`) and the child paths listed in CHILD_PATHS; then every
 * definition those paths reference, followed transitively. Paths and definitions keep the
 * document's order and content; only the `x-vendored` note is added.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { ENTITIES } from '../simulators/autotask/entities.ts';

/** Entities the client calls that the simulator does not list as records. */
const CLIENT_ONLY = ['ThresholdInformation', 'ZoneInformation'];
/** Child collections the client writes through their parent's URL (`createChild`). */
const CHILD_PATHS = [['Contracts', 'Services']];
/** Path segments that name an operation on an entity rather than another entity. */
const OPERATION_SEGMENTS = new Set(['query', 'count', 'entityinformation', 'fields', 'userdefinedfields']);

const OUT = new URL('../test/fixtures/autotask-openapi-subset.json', import.meta.url);

interface SwaggerDocument {
  swagger: string;
  info: { title?: string; version?: string; [k: string]: unknown };
  host?: string;
  basePath?: string;
  schemes?: string[];
  paths: Record<string, unknown>;
  definitions: Record<string, unknown>;
}

function entityChain(path: string): string {
  const segments = path.split('/').filter((s) => s && !/^v1\.0$/i.test(s) && !/^\{.*\}$/.test(s));
  return segments.filter((s) => !OPERATION_SEGMENTS.has(s.toLowerCase())).join('/').toLowerCase();
}

function refsIn(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/definitions/')) out.add(v.slice('#/definitions/'.length));
      else refsIn(v, out);
    }
  }
  return out;
}

function main(): void {
  const input = process.argv[2];
  if (!input) {
    console.error('usage: node --import tsx scripts/vendor-autotask-openapi.ts <path to Autotask swagger.json>');
    process.exit(2);
  }
  const raw = readFileSync(input);
  const doc = JSON.parse(raw.toString('utf8')) as SwaggerDocument;
  if (doc.swagger !== '2.0' || !doc.paths || !doc.definitions) throw new Error(`${input} is not a Swagger 2.0 document`);

  const wanted = new Set([
    ...Object.values(ENTITIES).map((e) => e.name),
    ...CLIENT_ONLY,
    ...CHILD_PATHS.map((c) => c.join('/')),
  ].map((c) => c.toLowerCase()));

  const paths = Object.fromEntries(Object.entries(doc.paths).filter(([p]) => wanted.has(entityChain(p))));
  const found = new Set(Object.keys(paths).map(entityChain));
  const missing = [...wanted].filter((w) => !found.has(w));
  if (missing.length) throw new Error(`the document has no paths for: ${missing.join(', ')}`);

  // Every definition the kept paths reference, and every one those reference, and so on.
  const keep = refsIn(paths, new Set());
  for (let queue = [...keep]; queue.length; ) {
    const name = queue.pop()!;
    const def = doc.definitions[name];
    if (def === undefined) throw new Error(`the document references a missing definition: ${name}`);
    for (const ref of refsIn(def, new Set())) {
      if (keep.has(ref)) continue;
      keep.add(ref);
      queue.push(ref);
    }
  }
  const definitions = Object.fromEntries(Object.entries(doc.definitions).filter(([name]) => keep.has(name)));

  const subset = {
    'x-vendored': {
      source: 'Autotask REST API Swagger 2.0 document as published by Datto/Kaseya (https://webservices.autotask.net/ATServicesRest/swagger/docs/v1)',
      info: `${doc.info.title ?? '?'} ${doc.info.version ?? '?'} (the document carries no date)`,
      sourceSha256: createHash('sha256').update(raw).digest('hex'),
      sourcePaths: Object.keys(doc.paths).length,
      sourceDefinitions: Object.keys(doc.definitions).length,
      extracted: `${new Date().toISOString().slice(0, 10)} by scripts/vendor-autotask-openapi.ts`,
      kept: `the paths of ${[...wanted].sort().join(', ')} and the definitions they reference; otherwise unchanged`,
    },
    swagger: doc.swagger,
    info: doc.info,
    ...(doc.host !== undefined ? { host: doc.host } : {}),
    ...(doc.basePath !== undefined ? { basePath: doc.basePath } : {}),
    ...(doc.schemes !== undefined ? { schemes: doc.schemes } : {}),
    paths,
    definitions,
  };
  const text = `${JSON.stringify(subset, null, 1)}\n`;
  writeFileSync(OUT, text);
  console.log(`${Object.keys(paths).length} paths, ${Object.keys(definitions).length} definitions, ${text.length} bytes → ${OUT.pathname}`);
}

main();

/**
 * Neither the client nor the simulator may drift from the real Autotask API: every path, method
 * and field the client sends, and every field the simulator serves, must exist in Autotask's own
 * Swagger document with the right type. The repository carries the part of that document these
 * checks need (test/fixtures/autotask-openapi-subset.json, cut by
 * scripts/vendor-autotask-openapi.ts; its `x-vendored` note says from what and when).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutotaskClient } from '../../integrations/autotask/client.ts';
import { serviceSchema } from '../../integrations/autotask/schemas.ts';
import { ENTITIES } from '../../simulators/autotask/entities.ts';
import { startSimulators, type Simulators } from '../support/simulators.ts';

interface Prop { type?: string; format?: string; $ref?: string; items?: Prop }
interface Swagger {
  paths: Record<string, Record<string, { responses?: Record<string, { schema?: Prop }> }>>;
  definitions: Record<string, { properties?: Record<string, Prop> }>;
}

const SUBSET = 'test/fixtures/autotask-openapi-subset.json';
const REFRESH = `add it to scripts/vendor-autotask-openapi.ts and run that script on Autotask's full Swagger document to refresh ${SUBSET}`;
const spec = JSON.parse(readFileSync(new URL('../fixtures/autotask-openapi-subset.json', import.meta.url), 'utf8')) as Swagger;
const specPaths = Object.keys(spec.paths).map((p) => ({ p, re: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`, 'i') }));

function specPathFor(path: string): string | undefined {
  return specPaths.find(({ re }) => re.test(path))?.p;
}

/** A definition's properties; a clear failure when the subset lacks it. */
function propertiesOf(name: string): Record<string, Prop> {
  const properties = spec.definitions[name]?.properties;
  if (!properties) throw new Error(`${SUBSET} has no definition ${name}: ${REFRESH}`);
  return properties;
}

/** The entity model a path's query answers with, e.g. ContractServiceUnitModel. */
function modelOf(entity: string): Record<string, Prop> {
  const path = Object.keys(spec.paths).find((p) => p.toLowerCase() === `/v1.0/${entity.toLowerCase()}/query`)
    ?? Object.keys(spec.paths).find((p) => p.toLowerCase() === `/v1.0/${entity.toLowerCase()}`);
  if (!path) throw new Error(`${SUBSET} has no path for the entity ${entity}: ${REFRESH}`);
  const ref = spec.paths[path]!.post?.responses?.['200']?.schema?.$ref ?? '';
  const result = spec.definitions[ref.replace('#/definitions/', '')];
  const itemRef = result?.properties?.items?.items?.$ref;
  if (itemRef) return propertiesOf(itemRef.replace('#/definitions/', ''));
  return propertiesOf(`${entity.replace(/ies$/, 'y').replace(/s$/, '')}Model`);
}

function valueFits(prop: Prop, value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return values.every((v) => {
    if (prop.type === 'integer') return Number.isInteger(v);
    if (prop.type === 'number') return typeof v === 'number';
    if (prop.type === 'boolean') return typeof v === 'boolean';
    if (prop.type === 'string' && prop.format === 'date-time') return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(v);
    if (prop.type === 'string') return typeof v === 'string';
    return false;
  });
}

interface FilterLike { op: string; field?: string; value?: unknown; items?: FilterLike[] }
function* conditions(filters: FilterLike[]): Generator<FilterLike> {
  for (const f of filters) {
    if (f.items) yield* conditions(f.items);
    else yield f;
  }
}

let sims: Simulators;
beforeAll(async () => {
  sims = await startSimulators({ companies: 30 });
});
afterAll(async () => sims?.close());

describe('the vendored Swagger subset', () => {
  it('carries every entity the client and the simulator use', () => {
    const needed = [...Object.values(ENTITIES).map((e) => e.name), 'ThresholdInformation', 'ZoneInformation'];
    const missing = needed.filter((name) => !Object.keys(spec.paths).some((p) => {
      const base = `/v1.0/${name.toLowerCase()}`;
      return p.toLowerCase() === base || p.toLowerCase().startsWith(`${base}/`);
    }));
    expect(missing, `entities missing from ${SUBSET}: ${REFRESH}`).toEqual([]);
    for (const entity of Object.values(ENTITIES)) expect(() => modelOf(entity.name)).not.toThrow();
    for (const name of ['ContractServiceAdjustmentModel', 'ContractServiceModel', 'ZoneInformationResultModel', 'ThresholdStatusResultModel', 'PagingModel']) {
      expect(() => propertiesOf(name)).not.toThrow();
    }
  });
});

describe('the client speaks the real API', () => {
  it('uses only documented paths, methods and fields, with the documented types', async () => {
    sims.autotask.faults.logBodies = true;
    const client = new AutotaskClient({ zoneLookupUrl: sims.zoneLookupUrl, ...sims.demo.credentials });
    const m = sims.demo.mappings[3]!;
    await client.threshold();
    await client.activeServices();
    await client.servicesByIds([301, 302]);
    await client.searchCompanies('dental');
    await client.company(m.autotaskCompanyId);
    await client.companyContracts(m.autotaskCompanyId);
    await client.contractsByIds(sims.demo.mappings.map((x) => x.autotaskContractId));
    await client.unitsAt([m.autotaskContractId], '2026-11-01');
    await client.unitsOf(m.autotaskContractId, 301, '2026-11-01');
    await client.getById('Services', 301, serviceSchema);
    await client.createAdjustment({ contractId: m.autotaskContractId, serviceId: 302, effectiveDate: '2026-11-01', unitChange: 2 });
    sims.autotask.faults.logBodies = false;

    const checked = new Set<string>();
    for (const entry of sims.autotask.faults.log) {
      const path = entry.path.replace(/^\/zone-\d+\/atservicesrest/i, '').replace(/^\/atservicesrest/i, '');
      const documented = specPathFor(path);
      expect(documented, `${entry.method} ${path} is not in ${SUBSET} (a new entity? ${REFRESH})`).toBeDefined();
      expect(Object.keys(spec.paths[documented!]!), `${entry.method} ${documented}`).toContain(entry.method.toLowerCase());
      checked.add(`${entry.method} ${documented}`);
      const body = entry.body as { filter?: FilterLike[]; includeFields?: string[] } | Record<string, unknown> | undefined;
      const entity = /\/V1\.0\/([^/]+)\/query/i.exec(path)?.[1];
      if (entity && body && 'filter' in body) {
        const model = modelOf(entity);
        for (const c of conditions(body.filter as FilterLike[])) {
          const prop = model[c.field!];
          expect(prop, `${entity}.${c.field}`).toBeDefined();
          if (c.value !== undefined) expect(valueFits(prop!, c.value), `${entity}.${c.field} = ${JSON.stringify(c.value)}`).toBe(true);
        }
        for (const f of (body.includeFields as string[] | undefined) ?? []) expect(model[f], `${entity} includeField ${f}`).toBeDefined();
      }
      if (/ContractServiceAdjustments$/i.test(path) && body) {
        const model = propertiesOf('ContractServiceAdjustmentModel');
        for (const [k, v] of Object.entries(body)) {
          expect(model[k], `adjustment field ${k}`).toBeDefined();
          expect(valueFits(model[k]!, v), `adjustment ${k}=${JSON.stringify(v)}`).toBe(true);
        }
      }
    }
    expect(checked.size).toBeGreaterThanOrEqual(9);
  });
});

describe('the simulator serves the real API', () => {
  it('declares every entity field as the Swagger models type it', () => {
    for (const entity of Object.values(ENTITIES)) {
      const model = modelOf(entity.name);
      for (const [field, type] of Object.entries(entity.fields)) {
        const prop = model[field];
        expect(prop, `${entity.name}.${field}`).toBeDefined();
        const expected = { integer: ['integer', 'int32'], long: ['integer', 'int64'], string: ['string', undefined], boolean: ['boolean', undefined], datetime: ['string', 'date-time'], double: ['number', 'double'] }[type];
        expect([prop!.type, prop!.format], `${entity.name}.${field}`).toEqual(expected);
      }
    }
  });

  it('answers every documented route it implements, with documented fields only', async () => {
    const zone = (await (await fetch(`${sims.zoneLookupUrl}?user=${encodeURIComponent(sims.demo.credentials.username)}`)).json()) as Record<string, unknown>;
    expect(Object.keys(zone).sort()).toEqual(Object.keys(propertiesOf('ZoneInformationResultModel')).sort());
    const base = `${String(zone.url).replace(/\/$/, '')}/V1.0`;
    const headers = { ApiIntegrationCode: sims.demo.credentials.trackingIdentifier, UserName: sims.demo.credentials.username, Secret: sims.demo.credentials.secret, 'content-type': 'application/json' };
    const threshold = (await (await fetch(`${base}/ThresholdInformation`, { headers })).json()) as Record<string, unknown>;
    expect(Object.keys(threshold).sort()).toEqual(Object.keys(propertiesOf('ThresholdStatusResultModel')).sort());
    for (const entity of Object.values(ENTITIES).filter((e) => e.canQuery)) {
      expect(specPathFor(`/V1.0/${entity.name}/query`), `${entity.name}/query is not in ${SUBSET}: ${REFRESH}`).toBeDefined();
      const res = await fetch(`${base}/${entity.name}/query`, { method: 'POST', headers, body: JSON.stringify({ filter: [{ op: 'exist', field: 'id' }], maxRecords: 5 }) });
      const page = (await res.json()) as { items: Array<Record<string, unknown>>; pageDetails: Record<string, unknown> };
      expect(Object.keys(page.pageDetails).sort()).toEqual(Object.keys(propertiesOf('PagingModel')).sort());
      const model = modelOf(entity.name);
      for (const item of page.items) for (const [k, v] of Object.entries(item)) {
        expect(model[k], `${entity.name}.${k}`).toBeDefined();
        if (v !== null) expect(valueFits(model[k]!, v), `${entity.name}.${k}=${JSON.stringify(v)}`).toBe(true);
      }
    }
  });
});

/**
 * Autotask query semantics: filters (every operator, nested and/or groups, top level ANDed),
 * case-insensitive field names and string matching, booleans that must be literal, unknown
 * fields refused, includeFields, sorted by id, pages of at most 500.
 */
import type { EntityDescriptor, FieldType } from './entities.ts';

export class QueryError extends Error {}

export interface Filter {
  op: string;
  field?: string;
  value?: unknown;
  udf?: boolean;
  items?: Filter[];
}

export interface QueryModel {
  filter: Filter[];
  includeFields?: string[];
  maxRecords?: number;
}

type Row = Record<string, unknown>;

/** Reads a query body whose keys may be in any case (`Filter`, `MaxRecords`, …). */
export function readQueryModel(raw: unknown): QueryModel {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new QueryError('Invalid query syntax: the query must be a JSON object.');
  const get = (o: object, key: string) => Object.entries(o).find(([k]) => k.toLowerCase() === key)?.[1];
  const readFilter = (f: unknown): Filter => {
    if (!f || typeof f !== 'object') throw new QueryError('Invalid query syntax: each filter must be an object.');
    const items = get(f, 'items');
    return {
      op: String(get(f, 'op') ?? ''),
      field: get(f, 'field') as string | undefined,
      value: get(f, 'value'),
      udf: Boolean(get(f, 'udf')),
      items: Array.isArray(items) ? items.map(readFilter) : undefined,
    };
  };
  const filter = get(raw, 'filter');
  if (!Array.isArray(filter) || filter.length === 0) throw new QueryError('Invalid query syntax: a filter is required.');
  const include = get(raw, 'includefields');
  const max = get(raw, 'maxrecords');
  if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) throw new QueryError('MaxRecords must be a positive whole number.');
  return { filter: filter.map(readFilter), includeFields: Array.isArray(include) ? include.map(String) : undefined, maxRecords: typeof max === 'number' ? max : undefined };
}

function resolveField(entity: EntityDescriptor, name: unknown): [string, FieldType] {
  if (typeof name !== 'string' || !name) throw new QueryError('Invalid query syntax: a filter is missing its field.');
  const hit = Object.entries(entity.fields).find(([k]) => k.toLowerCase() === name.toLowerCase());
  if (!hit) throw new QueryError(`Unable to find ${name} in the ${entity.name} Entity.`);
  return hit;
}

const dateValue = (v: unknown) => (typeof v === 'string' ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.length === 10 ? `${v}T00:00:00` : v}Z`) : NaN);

function compare(type: FieldType, a: unknown, b: unknown): number {
  if (type === 'datetime') return dateValue(a) - dateValue(b);
  if (type === 'string') return String(a).toLowerCase().localeCompare(String(b).toLowerCase());
  return Number(a) - Number(b);
}

function checkValue(type: FieldType, field: string, value: unknown): void {
  if (type === 'boolean' && typeof value !== 'boolean') throw new QueryError(`Value ${JSON.stringify(value)} is not valid for ${field}: booleans must be true or false.`);
  if ((type === 'integer' || type === 'long' || type === 'double') && (typeof value !== 'number' && !(typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))))) {
    throw new QueryError(`Value ${JSON.stringify(value)} is not valid for ${field}: a number is expected.`);
  }
  if (type === 'datetime' && Number.isNaN(dateValue(value))) throw new QueryError(`Value ${JSON.stringify(value)} is not a valid date for ${field}.`);
}

export function compileFilter(entity: EntityDescriptor, filter: Filter): (row: Row) => boolean {
  const op = filter.op.toLowerCase();
  if (op === 'and' || op === 'or') {
    const parts = (filter.items ?? []).map((f) => compileFilter(entity, f));
    if (parts.length === 0) throw new QueryError(`Invalid query syntax: an "${op}" group needs items.`);
    return op === 'and' ? (row) => parts.every((p) => p(row)) : (row) => parts.some((p) => p(row));
  }
  if (filter.udf) return () => false; // the simulated entities carry no user-defined fields
  const [field, type] = resolveField(entity, filter.field);
  const value = filter.value;
  const isNull = (v: unknown) => v === null || v === undefined || v === '';
  switch (op) {
    case 'exist':
      return (row) => !isNull(row[field]);
    case 'notexist':
      return (row) => isNull(row[field]);
    case 'in':
    case 'notin': {
      if (!Array.isArray(value)) throw new QueryError(`The ${op} operator needs an array value for ${field}.`);
      if (value.length > 500) throw new QueryError("Invalid query syntax. Queries are limited to 500 or fewer 'OR' conditions.");
      value.forEach((v) => checkValue(type, field, v));
      const keys = new Set(value.map((v) => (type === 'string' ? String(v).toLowerCase() : type === 'datetime' ? dateValue(v) : Number(v))));
      const key = (v: unknown) => (type === 'string' ? String(v).toLowerCase() : type === 'datetime' ? dateValue(v) : Number(v));
      return op === 'in' ? (row) => !isNull(row[field]) && keys.has(key(row[field])) : (row) => isNull(row[field]) || !keys.has(key(row[field]));
    }
    case 'eq': case 'noteq': case 'gt': case 'gte': case 'lt': case 'lte': {
      if (value === null || value === undefined) throw new QueryError(`A value is required for ${field} with ${op}.`);
      checkValue(type, field, value);
      const test: (c: number) => boolean = { eq: (c: number) => c === 0, noteq: (c: number) => c !== 0, gt: (c: number) => c > 0, gte: (c: number) => c >= 0, lt: (c: number) => c < 0, lte: (c: number) => c <= 0 }[op];
      if (type === 'boolean') return (row) => (op === 'eq' ? row[field] === value : op === 'noteq' ? row[field] !== value : false);
      return (row) => (isNull(row[field]) ? op === 'noteq' : test(compare(type, row[field], value)));
    }
    case 'beginswith': case 'endswith': case 'contains': {
      if (typeof value !== 'string') throw new QueryError(`The ${op} operator needs a string value for ${field}.`);
      const needle = value.toLowerCase();
      return (row) => {
        const hay = String(row[field] ?? '').toLowerCase();
        return op === 'beginswith' ? hay.startsWith(needle) : op === 'endswith' ? hay.endsWith(needle) : hay.includes(needle);
      };
    }
    default:
      throw new QueryError(`Invalid query syntax: unknown operator "${filter.op}".`);
  }
}

export function matchAll(entity: EntityDescriptor, filters: Filter[]): (row: Row) => boolean {
  const parts = filters.map((f) => compileFilter(entity, f));
  return (row) => parts.every((p) => p(row));
}

/** Only the requested fields plus id; empty values come back as null. */
export function project(entity: EntityDescriptor, row: Row, includeFields?: string[]): Row {
  const fields = includeFields?.length ? ['id', ...includeFields.map((f) => resolveField(entity, f)[0])] : Object.keys(entity.fields);
  const out: Row = {};
  for (const f of fields) {
    const v = row[f];
    out[f] = v === undefined || v === '' ? null : entity.fields[f] === 'datetime' && typeof v === 'string' && v.length === 10 ? `${v}T00:00:00` : v;
  }
  return out;
}

/**
 * Hot paths use drizzle prepared queries: the SQL text is built once per database handle (and per
 * variant, such as a filter shape or a number of rows) instead of on every call; drizzle's query
 * builder costs more CPU than the query itself.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client.ts';

export function preparedPerDb<Q, V extends string = ''>(build: (db: Db, variant: V) => Q): (db: Db, variant?: V) => Q {
  const cache = new WeakMap<Db, Map<V, Q>>();
  return (db, variant = '' as V) => {
    let perDb = cache.get(db);
    if (!perDb) cache.set(db, (perDb = new Map()));
    let query = perDb.get(variant);
    if (!query) perDb.set(variant, (query = build(db, variant)));
    return query;
  };
}

/**
 * A placeholder whose value reaches the driver as given. drizzle runs a column's encoder over a
 * bare placeholder's value, null included (a numeric column sends `String(null)`, a jsonb one
 * `JSON.stringify(null)`: 'null' instead of SQL NULL), so statements built with these take their
 * values the way the encoders below give them, as drizzle sends a value it binds itself.
 */
export const param = (name: string): SQL => sql`${sql.placeholder(name)}`;

/** numeric columns in `mode: 'number'`. */
export const numericValue = (value: number | null | undefined): string | null => (value === null || value === undefined ? null : String(value));
/** jsonb columns. */
export const jsonValue = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));
/** timestamp columns in `mode: 'date'`. */
export const timestampValue = (value: Date | null): string | null => value?.toISOString() ?? null;

/**
 * A prepared statement's values with every missing field bound as NULL. A field can be missing at
 * run time whatever the types say (JSON drops `undefined` on its way through a workflow history):
 * the builders sent DEFAULT for it, postgres.js refuses `undefined` outright and PGlite binds NULL,
 * so both drivers now store the same NULL the builders stored.
 */
export function boundValues(values: Record<string, unknown>): Record<string, unknown> {
  const bound: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) bound[key] = value === undefined ? null : value;
  return bound;
}

/** Rows of a statement prepared per number of rows: beyond this it is built per call (same SQL). */
export const MAX_PREPARED_ROWS = 8;

interface Runnable<T> {
  execute(values?: Record<string, unknown>): Promise<T>;
}

/**
 * A write statement whose values are placeholders, built per shape (its numbers of rows,
 * contracts, …; none for a fixed statement) and run with its values bound (`boundValues`):
 * prepared once per database handle and shape while every number is at most MAX_PREPARED_ROWS,
 * built per call beyond (the same SQL).
 */
export function statementByShape<T>(name: string, build: (db: Db, shape: number[]) => Runnable<T> & { prepare(name: string): Runnable<T> }) {
  const prepared = preparedPerDb((db, key: string) => build(db, key === '' ? [] : key.split('_').map(Number)).prepare(key === '' ? name : `${name}_${key}`));
  return (db: Db, shape: number[], values: Record<string, unknown>): Promise<T> => {
    const bound = boundValues(values);
    return shape.every((n) => n <= MAX_PREPARED_ROWS) ? prepared(db, shape.join('_')).execute(bound) : build(db, shape).execute(bound);
  };
}

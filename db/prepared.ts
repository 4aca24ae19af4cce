/**
 * Hot read paths use drizzle prepared queries: the SQL text is built once per database handle
 * (and per variant, such as a filter shape) instead of on every request; drizzle's query builder
 * costs more CPU than the query itself.
 */
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

/**
 * Hot read paths use drizzle prepared queries: the SQL text is built once per database handle
 * instead of on every request (drizzle's query builder costs more CPU than the query itself).
 */
import type { Db } from './client.ts';

export function preparedPerDb<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const cache = new WeakMap<Db, Q>();
  return (db) => {
    let query = cache.get(db);
    if (!query) {
      query = build(db);
      cache.set(db, query);
    }
    return query;
  };
}

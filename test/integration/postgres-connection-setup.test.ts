/**
 * A connection that fails while it is being set up must fail its query, not the process.
 * postgres.js runs a query of its own on each new connection (the server's array types) and drops
 * its promise, so when that query fails (the database going away mid-restart, a statement timeout)
 * the rejection is unhandled and Node ends the API or the worker (porsager/postgres#1192). The
 * service's client does without that query. A 1 ms statement_timeout fails it every time.
 */
import { afterEach, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDb, type DbHandle } from '../../db/client.ts';

let handle: DbHandle | undefined;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

afterEach(async () => {
  process.off('unhandledRejection', onUnhandled);
  await handle?.close();
});

it('leaves no unhandled rejection when the connection set-up query would fail', async () => {
  process.on('unhandledRejection', onUnhandled);
  const url = new URL(inject('postgresUrl'));
  url.searchParams.set('statement_timeout', '1');
  handle = await createDb({ databaseUrl: url.toString(), dataDir: 'unused', maxConnections: 2 });
  for (let i = 0; i < 5; i++) await handle.ping().catch(() => undefined);
  await new Promise((r) => setTimeout(r, 200));
  expect(unhandled.map((e) => (e as Error).message)).toEqual([]);
});

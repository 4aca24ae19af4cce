/**
 * The API while Temporal cannot be reached (its database answering): a request that needs
 * Temporal answers 503 temporal_unavailable with what to do, as /readyz says, never a 500 that
 * reads as a bug; the rest of the API keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { buildApp, type App } from '../../api/app.ts';
import { freePort } from '../../runtime/free-port.ts';
import { ADMIN_KEY, bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner } from '../support/partner-setup.ts';

describe('the API with Temporal unreachable', () => {
  let stack: Stack;
  let app: App;
  let connection: Connection;
  beforeAll(async () => {
    stack = await startStack('pglite', { worker: false, demo: { companies: 4 } });
    await setUpPartner(stack);
    // Nothing listens there: every call fails with gRPC UNAVAILABLE.
    connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 1_000 });
    const client = new Client({ connection, namespace: 'default' });
    app = await buildApp({
      services: stack.deps,
      dbPing: () => stack.db.ping(),
      temporal: { client, ping: async () => void (await connection.workflowService.getSystemInfo({})) },
      adminApiKey: ADMIN_KEY,
      taskQueue: stack.taskQueue,
      namespace: 'default',
      temporalUiUrl: 'http://127.0.0.1:8233',
      tracing: false,
    });
  });
  afterAll(async () => {
    await app?.close();
    await connection?.close().catch(() => {});
    await stack?.close();
  });

  it('answers Sync now 503 temporal_unavailable, and reads that need only the database 200', async () => {
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    const sync = await app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/sync`, headers: bearer(stack.adminKey), payload: {} });
    expect(sync.statusCode, sync.body).toBe(503);
    expect(sync.headers['retry-after']).toBe('5');
    expect(sync.json()).toEqual({ error: { code: 'temporal_unavailable', message: expect.stringMatching(/^Temporal cannot be reached right now; try again/) } });
    const mappings = await app.inject({ url: `/v1/partners/${stack.partnerId}/company-mappings?limit=5`, headers: bearer(stack.adminKey) });
    expect(mappings.statusCode).toBe(200);
  }, 60_000);
});

/**
 * What a fresh Temporal cluster needs before the worker and the API can use it: the namespace and
 * the custom search attributes the workflows set (workflows/search-attributes.ts, passed in). The
 * dev server gets both from its command line; a real cluster through the frontend, here over gRPC
 * with the SDK, so no `temporal` CLI is needed. Safe to run on every start: only what is missing
 * is made.
 */
import { isGrpcServiceError, type Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';

// temporal.api.enums.v1.IndexedValueType, by the names search attributes are declared with.
const indexedValueType = { Text: 1, Keyword: 2, Int: 3, Double: 4, Bool: 5, Datetime: 6, KeywordList: 7 } as const;
export type SearchAttributeTypeName = keyof typeof indexedValueType;
export const searchAttributeTypeNames = Object.keys(indexedValueType) as [SearchAttributeTypeName, ...SearchAttributeTypeName[]];

const ALREADY_EXISTS = 6;

/** Closed runs stay visible in the Temporal UI this long: NAMESPACE_RETENTION in docker-compose.yml. */
const RETENTION = '30 days';

/**
 * The server refreshes its namespace cache every 2 s (system.namespaceCacheRefreshInterval), in
 * each service separately; history and matching may see a new namespace or search attribute
 * that long after the frontend does.
 */
const NAMESPACE_CACHE_REFRESH_MS = 2_000;

export async function prepareNamespace(connection: Connection, namespace: string, searchAttributes: Readonly<Record<string, SearchAttributeTypeName>>, deadline: number): Promise<void> {
  let changed = await retryUntil(deadline, `register namespace ${namespace}`, async () => {
    try {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(RETENTION) });
      return true;
    } catch (err) {
      if (isGrpcServiceError(err) && err.code === ALREADY_EXISTS) return false;
      throw err;
    }
  });

  const existing = await retryUntil(deadline, `list the search attributes of ${namespace}`, () => connection.operatorService.listSearchAttributes({ namespace }));
  const missing: Record<string, number> = {};
  for (const [name, type] of Object.entries(searchAttributes)) {
    const has = existing.customAttributes[name];
    if (has === undefined) missing[name] = indexedValueType[type];
    else if (has !== indexedValueType[type]) {
      throw new Error(`search attribute ${name} exists in namespace ${namespace} with another type (${has}); the workflows need ${type}. Remove it (temporal operator search-attribute remove) or use another namespace.`);
    }
  }
  if (Object.keys(missing).length) {
    await retryUntil(deadline, `add search attributes ${Object.keys(missing).join(', ')}`, () => connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing }));
    changed = true;
  }

  // A query naming every attribute succeeds once the frontend knows them all.
  const query = Object.keys(searchAttributes).map((name) => `${name} = 'ready-check'`).join(' AND ');
  await retryUntil(deadline, `query ${namespace} by its search attributes`, () => connection.workflowService.countWorkflowExecutions({ namespace, query }));
  if (changed) await new Promise((r) => setTimeout(r, NAMESPACE_CACHE_REFRESH_MS + 500));
}

/** Calls fn until it resolves; the services come up one after another, so early calls fail. */
async function retryUntil<T>(deadline: number, what: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Temporal server: could not ${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Where a run's Autotask requests go (issue 15's "requests per changed service"), from the
 * simulator's request log with bodies: each request classified by path, method and query filter,
 * and the confirming reads' batches by size. Zone lookups are left out, as the benchmark's
 * request count leaves them out.
 */
import type { LoggedRequest } from '../simulators/common/faults.ts';

export type RequestKind =
  | 'adjustment'
  | 'threshold'
  | 'contracts modified since'
  | 'contracts by id'
  | 'units, planning (by contract)'
  | 'units, confirm batch'
  | 'units, one pair (retry, pending, lone confirm)'
  | 'services'
  | 'next page'
  | 'other';

export interface RequestBreakdown {
  total: number;
  byKind: Map<RequestKind, number>;
  /** Contracts per confirm batch, each batch's size once. */
  confirmBatchSizes: number[];
}

interface Filter {
  op?: string;
  field?: string;
  value?: unknown;
  items?: Filter[];
}

/** Every condition of a query filter, `and`/`or` groups opened. */
function conditions(filter: unknown): Filter[] {
  if (!Array.isArray(filter)) return [];
  return filter.flatMap((f: Filter) => (f.items ? [f, ...conditions(f.items)] : [f]));
}

function classifyQuery(entity: string, body: unknown): { kind: RequestKind; batch?: number } {
  const conds = conditions((body as { filter?: unknown } | undefined)?.filter);
  const on = (field: string, op?: string) => conds.find((c) => c.field?.toLowerCase() === field.toLowerCase() && (!op || c.op === op));
  if (entity === 'contracts') return { kind: on('lastModifiedDateTime') ? 'contracts modified since' : 'contracts by id' };
  if (entity === 'services') return { kind: 'services' };
  if (entity === 'contractserviceunits') {
    if (on('serviceID', 'eq')) return { kind: 'units, one pair (retry, pending, lone confirm)' };
    const contracts = on('contractID', 'in');
    if (on('serviceID', 'in')) return { kind: 'units, confirm batch', batch: Array.isArray(contracts?.value) ? contracts.value.length : 0 };
    return { kind: 'units, planning (by contract)' };
  }
  return { kind: 'other' };
}

export function classifyRequests(log: readonly LoggedRequest[]): RequestBreakdown {
  const byKind = new Map<RequestKind, number>();
  const confirmBatchSizes: number[] = [];
  let total = 0;
  for (const r of log) {
    const path = r.path.toLowerCase();
    if (/zoneinformation/.test(path)) continue;
    total++;
    let kind: RequestKind;
    const query = /\/v1\.0\/([^/]+)\/query$/.exec(path);
    if (r.method === 'POST' && /\/contractserviceadjustments$/.test(path)) kind = 'adjustment';
    else if (/\/thresholdinformation$/.test(path)) kind = 'threshold';
    else if (r.method === 'GET' && query) kind = 'next page';
    else if (r.method === 'POST' && query) {
      const c = classifyQuery(query[1]!, r.body);
      kind = c.kind;
      if (c.batch !== undefined) confirmBatchSizes.push(c.batch);
    } else kind = 'other';
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  }
  return { total, byKind, confirmBatchSizes };
}

/** Batch sizes bucketed: how many batches went out with 1, 2–9, 10–49, 50–199 and 200–500 contracts. */
export function batchSizeBuckets(sizes: readonly number[]): Array<{ bucket: string; batches: number }> {
  const buckets = [
    { bucket: '1', min: 1, max: 1 },
    { bucket: '2–9', min: 2, max: 9 },
    { bucket: '10–49', min: 10, max: 49 },
    { bucket: '50–199', min: 50, max: 199 },
    { bucket: '200–500', min: 200, max: 500 },
  ];
  return buckets.map((b) => ({ bucket: b.bucket, batches: sizes.filter((s) => s >= b.min && s <= b.max).length }));
}

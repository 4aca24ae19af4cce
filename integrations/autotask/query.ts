/**
 * A typed builder for Autotask query bodies: every operator, and/or groups, includeFields and
 * maxRecords. Field names are the entity's own (camelCase, `ID` suffix on foreign keys).
 */
export type Scalar = string | number | boolean;

export type Condition =
  | { op: 'eq' | 'noteq' | 'gt' | 'gte' | 'lt' | 'lte'; field: string; value: Scalar }
  | { op: 'beginsWith' | 'endsWith' | 'contains'; field: string; value: string }
  | { op: 'exist' | 'notExist'; field: string }
  | { op: 'in' | 'notIn'; field: string; value: Array<string | number> }
  | { op: 'and' | 'or'; items: Condition[] };

export interface QueryBody {
  filter: Condition[];
  includeFields?: string[];
  maxRecords?: number;
}

/** The most records Autotask returns per page, and the most values an `in` may carry. */
export const PAGE_LIMIT = 500;

export const q = {
  eq: (field: string, value: Scalar): Condition => ({ op: 'eq', field, value }),
  noteq: (field: string, value: Scalar): Condition => ({ op: 'noteq', field, value }),
  gt: (field: string, value: Scalar): Condition => ({ op: 'gt', field, value }),
  gte: (field: string, value: Scalar): Condition => ({ op: 'gte', field, value }),
  lt: (field: string, value: Scalar): Condition => ({ op: 'lt', field, value }),
  lte: (field: string, value: Scalar): Condition => ({ op: 'lte', field, value }),
  beginsWith: (field: string, value: string): Condition => ({ op: 'beginsWith', field, value }),
  endsWith: (field: string, value: string): Condition => ({ op: 'endsWith', field, value }),
  contains: (field: string, value: string): Condition => ({ op: 'contains', field, value }),
  exist: (field: string): Condition => ({ op: 'exist', field }),
  notExist: (field: string): Condition => ({ op: 'notExist', field }),
  in: (field: string, value: Array<string | number>): Condition => ({ op: 'in', field, value }),
  notIn: (field: string, value: Array<string | number>): Condition => ({ op: 'notIn', field, value }),
  and: (...items: Condition[]): Condition => ({ op: 'and', items }),
  or: (...items: Condition[]): Condition => ({ op: 'or', items }),
};

export function query(filter: Condition[], options: { includeFields?: string[]; maxRecords?: number } = {}): QueryBody {
  if (filter.length === 0) throw new Error('an Autotask query needs at least one filter');
  const body: QueryBody = { filter };
  if (options.includeFields) body.includeFields = options.includeFields;
  if (options.maxRecords !== undefined) body.maxRecords = Math.min(Math.max(1, options.maxRecords), PAGE_LIMIT);
  return body;
}

/** Splits ids into chunks an `in` filter accepts. */
export function chunk<T>(values: T[], size = PAGE_LIMIT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/** Autotask date-only fields are sent as `YYYY-MM-DDT00:00:00` (no offset) and compared by date. */
export const autotaskDate = (isoDate: string) => `${isoDate.slice(0, 10)}T00:00:00`;

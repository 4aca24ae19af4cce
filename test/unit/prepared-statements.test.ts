/**
 * The per-company statements are prepared once with placeholders (db/prepared.ts). What the
 * driver is sent must be what drizzle sends for a statement built from the values: SQL NULL for a
 * null, never the text 'null' a column encoder makes of it, and JSON as text. Checked against a
 * recording stand-in for postgres.js, so no database is needed.
 */
import { drizzle } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { boundValues, jsonValue, numericValue } from '../../db/prepared.ts';
import { recordLedgerWrite } from '../../db/repositories/billing-ledger.ts';
import { recordCompanyOutcome } from '../../db/repositories/company-outcomes.ts';
import { claimUnitWrites, saveUnitWriteResult } from '../../db/repositories/unit-writes.ts';
import { schema } from '../../db/schema.ts';
import type { ProductResult } from '../../sync/records.ts';

interface Sent { query: string; params: unknown[]; prepare: boolean }

function recordingDb(): { db: Db; sent: Sent[] } {
  const sent: Sent[] = [];
  const answer = () => Object.assign(Promise.resolve([]), { values: () => Promise.resolve([]) });
  const client = {
    unsafe: (query: string, params: unknown[], options: { prepare: boolean }) => {
      sent.push({ query, params, prepare: options.prepare });
      return answer();
    },
    options: { parsers: {}, serializers: {} },
  } as unknown as postgres.Sql;
  return { db: drizzle({ client, schema }) as unknown as Db, sent };
}

const runId = '11111111-1111-4111-8111-111111111111';
const result = (over: Partial<ProductResult> = {}): ProductResult => ({
  productId: 'pb-standard', serviceId: 301, action: 'set', status: 'ok', unitsBefore: 4, unitsAfter: 5, adjustmentId: null, errorType: null, detail: null, ...over,
});

describe('prepared per-company statements', () => {
  it('send a missing price as SQL NULL, a known one as numeric text, and the sync time as ISO text', async () => {
    const { db, sent } = recordingDb();
    const at = new Date('2026-11-30T10:00:00Z');
    const outcome = { runId, partnerId: 'p1', pbCompanyId: 'c1', contractId: 70, dryRun: false, status: 'ok' as const, detail: null, unitsChanged: 1, adjustments: 1, at };
    await recordCompanyOutcome(db, { ...outcome, rows: [result({ unitPrice: null, amountChange: undefined }), result({ serviceId: 302, unitPrice: 2.5, amountChange: 2.5, reason: 'count' })] });
    await recordCompanyOutcome(db, { ...outcome, pbCompanyId: 'c2', rows: [result()] });
    expect(sent.map((s) => s.prepare)).toEqual([true, true]);
    const params = sent[0]!.params;
    expect(params).not.toContain('null');
    expect(params).toContain('2.5');
    expect(params).toContain(at.toISOString());
    // The first row's price and change: its 12th and 13th values after the run, partner and company.
    expect(params.slice(3 + 11, 3 + 13)).toEqual([null, null]);
  });

  it('send JSON as text, and null as SQL NULL', async () => {
    const { db, sent } = recordingDb();
    await saveUnitWriteResult(db, runId, 70, 301, result());
    await recordLedgerWrite(db, 'p1', { runId, contractId: 70, serviceId: 301, effectiveDate: '2026-11-01', units: 5, pbCompanyId: 'c1', productIds: ['pb-standard'], reason: 'count' });
    expect(sent[0]!.params).toContain(JSON.stringify(result()));
    expect(sent[1]!.params.filter((p) => p === '["pb-standard"]')).toHaveLength(2);
    expect(sent.every((s) => s.prepare)).toBe(true);
  });

  it('bind a missing value as SQL NULL, never as the text null, and keep falsy values', () => {
    expect([jsonValue(null), jsonValue(undefined), numericValue(null), numericValue(undefined)]).toEqual([null, null, null, null]);
    expect([jsonValue([]), jsonValue({ a: null }), numericValue(0)]).toEqual(['[]', '{"a":null}', '0']);
    expect(boundValues({ missing: undefined, none: null, zero: 0, empty: '', no: false })).toEqual({ missing: null, none: null, zero: 0, empty: '', no: false });
  });

  it('number each value once per place it is used, whatever the number of rows', async () => {
    const { db, sent } = recordingDb();
    const writes = Array.from({ length: 10 }, (_, i) => ({ contractId: 70 + i, serviceId: 301, target: i, effectiveDate: '2026-11-01' }));
    await claimUnitWrites(db, runId, 'c1', writes.slice(0, 2));
    await claimUnitWrites(db, runId, 'c1', writes);
    // (The stand-in returns no claims, so each call also looks for the company holding them.)
    const claims = sent.filter((s) => s.query.startsWith('insert'));
    // Two pairs: prepared; ten: built for the call, the same statement with more rows.
    expect(claims.map((s) => s.prepare)).toEqual([true, false]);
    expect(claims[0]!.params).toEqual([runId, 70, 301, 'c1', 0, '2026-11-01', runId, 71, 301, 'c1', 1, '2026-11-01', 'c1']);
    expect(claims[1]!.query.match(/\$\d+/g)).toHaveLength(10 * 6 + 1);
  });
});

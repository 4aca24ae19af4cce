import { DrizzleQueryError } from 'drizzle-orm/errors';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { withoutQueryValues } from '../../api/plugins/error-handler.ts';

function logged(err: unknown): string {
  let out = '';
  const sink = new Writable({ write(chunk, _enc, done) { out += chunk.toString(); done(); } });
  pino({}, sink).error({ err: withoutQueryValues(err) }, 'request failed');
  return out;
}

describe('a failed request in the log', () => {
  it('keeps the statement and the database error of a failed query, not its values', () => {
    const cause = Object.assign(new Error('value too long for type character varying(200)'), { code: '22001' });
    const line = JSON.parse(logged(new DrizzleQueryError('update notification_settings set webhook_url = $1 where partner_id = $2', ['https://hooks.example/T0KEN-abc', 'acme'], cause)));
    expect(JSON.stringify(line)).not.toContain('T0KEN-abc');
    expect(line.err).toMatchObject({ type: 'FailedQuery', code: '22001', query: expect.stringContaining('webhook_url = $1'), message: 'query failed: value too long for type character varying(200)' });
  });

  it('logs any other error whole', () => {
    expect(JSON.parse(logged(new TypeError('x is undefined'))).err).toMatchObject({ type: 'TypeError', message: 'x is undefined' });
  });
});

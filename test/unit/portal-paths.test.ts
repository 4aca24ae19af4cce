/** The portal encodes every id it puts in a request path (issue 14, item 8). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { path as apiPath } from '../../web/src/paths.ts';

const webSrc = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'web', 'src');

describe('portal request paths', () => {
  it('keep a hostile id inside its path segment', () => {
    const url = apiPath`/v1/partners/${'demo'}/company-mappings/${'../../../partners/x'}`;
    expect(url).toBe('/v1/partners/demo/company-mappings/..%2F..%2F..%2Fpartners%2Fx');
    expect(new URL(url, 'http://portal.example').pathname).toBe(url);
    expect(apiPath`/v1/partners/${'a?b#c'}/sync`).toBe('/v1/partners/a%3Fb%23c/sync');
  });

  it('are built with path`…` wherever an id is interpolated into a /v1 URL', () => {
    const offenders: string[] = [];
    for (const file of readdirSync(webSrc).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(path.join(webSrc, file), 'utf8');
      // A template literal that starts a /v1 path and interpolates, not tagged with `path`.
      for (const match of text.matchAll(/(\w*)`\/v1\/[^`]*\$\{/g)) {
        if (match[1] !== 'path') offenders.push(`${file}: ${match[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

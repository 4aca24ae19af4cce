/**
 * Zone discovery: `zoneInformation?user=` without auth headers, cached per username with a TTL
 * and forgotten when calls fail in a way that says the zone moved. A zone outside the allowed
 * API hosts is refused and never cached (the credentials would follow it). The cache is shared
 * across partners on purpose: a zone is public (the lookup needs no credentials) and says
 * nothing about a tenant beyond where its API lives; every entry passed the allowlist.
 */
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { IntegrationError, excerpt, isNetworkError } from '../errors.ts';
import { assertAllowedZone, type HostRule } from './allowed-hosts.ts';

export const zoneSchema = z.object({ zoneName: z.string(), url: z.string().url(), webUrl: z.string().nullish(), ci: z.number().nullish() });
export type Zone = z.infer<typeof zoneSchema> & { apiBase: string };

const cache = new Map<string, { zone: Zone; expires: number }>();
export const ZONE_TTL_MS = 24 * 3_600_000;

export async function discoverZone(lookupUrl: string, username: string, dispatcher: Dispatcher, rules: readonly HostRule[], signal?: AbortSignal): Promise<Zone> {
  const key = `${lookupUrl}|${username.toLowerCase()}`;
  const hit = cache.get(key);
  if (hit && hit.expires > Date.now()) {
    // Re-checked on a hit too: clients in one process may be given different lists.
    assertAllowedZone(hit.zone.url, rules);
    return hit.zone;
  }
  const url = `${lookupUrl}${lookupUrl.includes('?') ? '&' : '?'}user=${encodeURIComponent(username)}`;
  let res;
  try {
    res = await request(url, { method: 'GET', dispatcher, headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new IntegrationError('autotask', 'unavailable', `Autotask is unreachable (${isNetworkError(err) ? (err as { code?: string }).code : (err as Error).message}); the sync retries automatically`);
  }
  const text = await res.body.text();
  if (res.statusCode === 502 || res.statusCode === 503 || res.statusCode === 504 || res.statusCode === 429) {
    throw new IntegrationError('autotask', 'unavailable', `Autotask's zone lookup answered ${res.statusCode}; try again in a few minutes`, { status: res.statusCode, excerpt: excerpt(text) });
  }
  if (res.statusCode !== 200) {
    throw new IntegrationError('autotask', 'authentication', `Autotask does not know the API user "${username}"; check the username (it is the API user's email-style login)`, { status: res.statusCode, excerpt: excerpt(text), authPart: 'unknown_user' });
  }
  let parsed;
  try {
    parsed = zoneSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) throw new IntegrationError('autotask', 'malformed', `Autotask's zone lookup sent an unexpected body: ${excerpt(text, 120)}`, { status: 200, excerpt: excerpt(text) });
  assertAllowedZone(parsed.data.url, rules);
  // The zone URL ends with `/`; normalise once (n8n's bug was not doing so).
  const zone = { ...parsed.data, apiBase: `${parsed.data.url.replace(/\/+$/, '')}/V1.0` };
  cache.set(key, { zone, expires: Date.now() + ZONE_TTL_MS });
  return zone;
}

export function forgetZone(lookupUrl: string, username: string): void {
  cache.delete(`${lookupUrl}|${username.toLowerCase()}`);
}

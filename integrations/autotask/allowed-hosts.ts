/**
 * Where Autotask credentials may be sent (`AUTOTASK_API_HOSTS`). The zone lookup answers with the
 * URL every later call goes to, headers `UserName`, `Secret` and `ApiIntegrationCode` included;
 * a lookup answer (or a man in the middle, or a misconfigured lookup URL) pointing elsewhere
 * would hand the credentials over. So a zone URL must match this list before it is used, cached
 * or saved, and a `nextPageUrl` is followed only on the zone's own origin.
 *
 * The syntax of an entry is in config/api-hosts.ts.
 */
import { DEFAULT_API_HOSTS, defaultPort, parseApiHosts, type HostRule } from '../../config/api-hosts.ts';
import { IntegrationError } from '../errors.ts';

export { DEFAULT_API_HOSTS, parseApiHosts, type HostRule };

export function apiHostRules(zoneLookupUrl: string, configured?: string): HostRule[] {
  if (configured?.trim()) return parseApiHosts(configured);
  const lookup = new URL(zoneLookupUrl);
  const autotask = parseApiHosts(DEFAULT_API_HOSTS);
  if (isAllowed(lookup, autotask)) return autotask;
  return [{ protocol: lookup.protocol === 'http:' ? 'http:' : 'https:', host: lookup.hostname.toLowerCase(), port: lookup.port }];
}

export function isAllowed(url: URL, rules: readonly HostRule[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port === defaultPort(url.protocol) ? '' : url.port;
  if (url.username || url.password) return false;
  return rules.some((r) => {
    if (r.protocol !== url.protocol || r.port !== port) return false;
    return r.host.startsWith('*.') ? host.endsWith(r.host.slice(1)) && host.length > r.host.length - 1 : host === r.host;
  });
}

const describe = (rules: readonly HostRule[]) =>
  rules.map((r) => (r.protocol === 'https:' && !r.port ? r.host : `${r.protocol}//${r.host}${r.port ? `:${r.port}` : ''}`)).join(', ');

/** Throws a non-retryable authentication failure when the zone URL is not an allowed API host. */
export function assertAllowedZone(zoneUrl: string, rules: readonly HostRule[]): void {
  let url: URL | undefined;
  try {
    url = new URL(zoneUrl);
  } catch {
    url = undefined;
  }
  if (url && isAllowed(url, rules)) return;
  const shown = url ? url.origin : zoneUrl.slice(0, 80);
  throw new IntegrationError(
    'autotask',
    'authentication',
    `Autotask's zone lookup pointed at ${shown}, which is not an allowed Autotask API host (${describe(rules)}), so the credentials were not sent; if this is a genuine Autotask zone, add its host to AUTOTASK_API_HOSTS`,
    { authPart: 'zone_not_allowed' }
  );
}

/** A `nextPageUrl` may only continue on the zone's own origin (it is sent the credentials too). */
export function assertSameOrigin(nextUrl: string, apiBase: string): void {
  let origin: string | undefined;
  try {
    origin = new URL(nextUrl).origin;
  } catch {
    origin = undefined;
  }
  if (origin === new URL(apiBase).origin) return;
  throw new IntegrationError('autotask', 'malformed', `Autotask sent a next-page link to ${origin ?? 'an unreadable address'}, not to its zone ${new URL(apiBase).origin}; it was not followed, so the credentials stayed with Autotask`);
}

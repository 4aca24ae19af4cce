/**
 * Where Autotask credentials may be sent (`AUTOTASK_API_HOSTS`). The zone lookup answers with the
 * URL every later call goes to, headers `UserName`, `Secret` and `ApiIntegrationCode` included;
 * a lookup answer (or a man in the middle, or a misconfigured lookup URL) pointing elsewhere
 * would hand the credentials over. So a zone URL must match this list before it is used, cached
 * or saved, and a `nextPageUrl` is followed only on the zone's own origin.
 *
 * An entry is a host (`webservices5.autotask.net`), a wildcard for its subdomains
 * (`*.autotask.net`), or an origin with a scheme and port (`http://127.0.0.1:4100`). A host
 * without a scheme means https on port 443: credentials never travel in clear text unless an
 * entry says `http://` explicitly (a local simulator).
 */
import { IntegrationError } from '../errors.ts';

export interface HostRule {
  protocol: 'https:' | 'http:';
  /** Lowercase hostname; `*.` prefix = any subdomain. */
  host: string;
  /** '' = the protocol's default port. */
  port: string;
}

export const DEFAULT_API_HOSTS = '*.autotask.net';

const defaultPort = (protocol: string) => (protocol === 'https:' ? '443' : '80');

export function parseApiHosts(value: string): HostRule[] {
  const rules: HostRule[] = [];
  for (const raw of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`;
    let url: URL;
    try {
      url = new URL(withScheme.replace('://*.', '://wildcard.'));
    } catch {
      throw new Error(`"${raw}" is not a host, *.domain or http(s)://host:port`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`"${raw}": only https (or http for a local simulator) is allowed`);
    if (url.pathname !== '/' || url.search || url.username) throw new Error(`"${raw}": give a host or origin, without a path`);
    const wildcard = withScheme.includes('://*.');
    const host = wildcard ? `*.${url.hostname.replace(/^wildcard\./, '')}` : url.hostname;
    rules.push({ protocol: url.protocol, host: host.toLowerCase(), port: url.port === defaultPort(url.protocol) ? '' : url.port });
  }
  if (rules.length === 0) throw new Error('expected at least one host');
  return rules;
}

/**
 * The rules in force: `AUTOTASK_API_HOSTS` when set; otherwise `*.autotask.net` when the zone
 * lookup is Autotask's own (https on autotask.net), else only the lookup URL's origin (a
 * simulator or test double never lets credentials leave for another host).
 */
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

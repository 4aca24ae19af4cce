/**
 * The syntax of `AUTOTASK_API_HOSTS`, the hosts Autotask credentials may be sent to. Parsed here,
 * at the bottom of the house, so a bad value stops the process at start-up with one line; the
 * Autotask client (integrations/autotask/allowed-hosts.ts) applies the rules.
 *
 * An entry is a host (`webservices5.autotask.net`), a wildcard for its subdomains
 * (`*.autotask.net`), or an origin with a scheme and port (`http://127.0.0.1:4100`). A host
 * without a scheme means https on port 443: credentials never travel in clear text unless an
 * entry says `http://` explicitly (a local simulator).
 */
export interface HostRule {
  protocol: 'https:' | 'http:';
  /** Lowercase hostname; `*.` prefix = any subdomain. */
  host: string;
  /** '' = the protocol's default port. */
  port: string;
}

export const DEFAULT_API_HOSTS = '*.autotask.net';

export const defaultPort = (protocol: string) => (protocol === 'https:' ? '443' : '80');

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

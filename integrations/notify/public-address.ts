/**
 * Partner-supplied webhook URLs must not reach the service's own network (docs/design.md rule
 * 13): loopback, private, link-local, carrier-grade NAT, multicast and other special ranges are
 * refused unless ALLOW_PRIVATE_WEBHOOKS=true. Checked on the address actually connected to (a
 * DNS lookup hook), so a name that resolves to 127.0.0.1, or re-resolves there later, is refused too.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32],
  // NAT64 and the deprecated IPv4-compatible form can carry a private IPv4 address. (IPv4-mapped
  // addresses, ::ffff:a.b.c.d, need no rule: BlockList checks them against the IPv4 rules.)
  ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['::', 96],
  // So can 6to4 (2002:AABB:CCDD::), Teredo (2001:0::/32) and IPv4-translated (::ffff:0:a.b.c.d)
  // addresses, through a tunnel or relay the host may have. Site-local (fec0::/10, retired but
  // still routed by some stacks) and discard-only (100::/64) are nobody's webhook either.
  ['2002::', 16], ['2001::', 32], ['::ffff:0:0:0', 96], ['fec0::', 10], ['100::', 64],
] as const) blocked.addSubnet(net, prefix, 'ipv6');

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class PrivateAddressError extends Error {
  override name = 'PrivateAddressError';
  constructor(host: string) {
    super(`the webhook host ${host} resolves to a loopback, private or link-local address, which webhooks may not reach`);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect (undici passes it through) that answers only public addresses.
 * Node calls it with `all: true` when it tries several addresses, so both forms are answered.
 */
export function publicOnlyLookup(hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true } as { all: true }, (err, addresses) => {
    if (err) return callback(err, options.all ? [] : '');
    const allowed = addresses.filter((a) => isPublicAddress(a.address));
    if (allowed.length === 0) return callback(Object.assign(new PrivateAddressError(hostname), { code: 'EPRIVATEADDRESS' }), options.all ? [] : '');
    if (options.all) return callback(null, allowed);
    callback(null, allowed[0]!.address, allowed[0]!.family);
  });
}

/** For URLs whose host is an IP literal (no lookup happens): refused here, before connecting. */
export function assertPublicLiteral(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && !isPublicAddress(host)) throw new PrivateAddressError(host);
  if (/^localhost\.?$/i.test(host)) throw new PrivateAddressError(host);
}

/**
 * Saving a webhook: refuses a URL whose host is, or resolves only to, a non-public address, so
 * the partner hears about it now rather than at the first failed run. (A name that does not
 * resolve yet is accepted; the connect-time lookup decides then.)
 */
export async function assertPublicWebhookHost(url: URL): Promise<void> {
  assertPublicLiteral(url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return;
  const addresses = await new Promise<LookupAddress[]>((resolve) => dnsLookup(host, { all: true }, (err, found) => resolve(err ? [] : found)));
  if (addresses.length > 0 && !addresses.some((a) => isPublicAddress(a.address))) throw new PrivateAddressError(host);
}

// Where webhooks may go: the SSRF guard. A target must be https, and every address its host resolves
// to must be public unicast — no loopback, private, link-local (the cloud metadata address
// 169.254.169.254 is one), unique-local, carrier-grade NAT, multicast or reserved address — unless
// an explicit allow-list names it (the local platform allows loopback for its own receivers; plain
// http is then allowed to loopback only). ipaddr.js classifies addresses, IPv4-mapped IPv6 included.
import ipaddr from 'ipaddr.js';

export interface TargetPolicy {
  /** CIDRs allowed although not public, e.g. 127.0.0.0/8 on the local platform. Empty by default. */
  allowedCidrs: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];
  /** Plain http to loopback addresses (only the local platform turns it on). */
  allowPlainHttp: boolean;
}

export function parseCidrList(list: string): TargetPolicy['allowedCidrs'] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((cidr) => ipaddr.parseCIDR(cidr));
}

export const isValidCidrList = (list: string): boolean =>
  list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .every((cidr) => ipaddr.isValidCIDR(cidr));

export class TargetRefused extends Error {
  constructor(
    readonly code: 'webhook-url-insecure' | 'webhook-url-refused' | 'webhook-url-unresolvable',
    message: string,
  ) {
    super(message);
  }
}

/** The URL's own rules (scheme, no credentials); addresses are checked by `checkAddress`. */
export function checkUrlShape(url: URL): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TargetRefused('webhook-url-insecure', 'only https URLs can receive webhooks');
  if (url.username || url.password)
    throw new TargetRefused('webhook-url-refused', 'credentials do not belong in a webhook URL');
}

/** Throws unless `address` (one the host resolved to) may be the target of a request over `protocol`. */
export function checkAddress(policy: TargetPolicy, protocol: string, address: string): void {
  const parsed = ipaddr.process(address);
  const allowed = policy.allowedCidrs.some(
    ([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits),
  );
  if (parsed.range() !== 'unicast' && !allowed)
    throw new TargetRefused(
      'webhook-url-refused',
      `resolves to ${address}, a ${parsed.range()} address: webhooks go to public addresses only`,
    );
  if (protocol === 'http:' && !(policy.allowPlainHttp && allowed && parsed.range() === 'loopback'))
    throw new TargetRefused('webhook-url-insecure', 'only https URLs can receive webhooks');
}

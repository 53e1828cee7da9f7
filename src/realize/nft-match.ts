/**
 * nftables match expressions for the cloud's rule parts: protocols, port ranges, ICMP type and
 * code, prefixes. Shared by the security-group and network-ACL rulesets. IPv4 only (the
 * realization leaves IPv6 out; see build-plan.ts).
 */
import type { Protocol } from '../topology/model.js';

const PROTO_NUMBERS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17 };

/** `tcp dport 80`, `udp dport 53-54`, `icmp type 8 icmp code 0`, `meta l4proto 47`, or ''. */
export function protocolMatch(
  protocol: Protocol,
  ports: { readonly from: number; readonly to: number } | null,
  icmpType: number | null,
  icmpCode: number | null,
): string {
  if (protocol === 'any') return '';
  if (protocol === 'tcp' || protocol === 'udp') {
    if (!ports) return `meta l4proto ${protocol}`;
    return `${protocol} dport ${ports.from === ports.to ? ports.from : `${ports.from}-${ports.to}`}`;
  }
  if (protocol === 'icmp') {
    if (icmpType === null) return 'meta l4proto icmp';
    return `icmp type ${icmpType}${icmpCode === null ? '' : ` icmp code ${icmpCode}`}`;
  }
  if (protocol === 'icmpv6') return 'meta l4proto ipv6-icmp';
  return `meta l4proto ${PROTO_NUMBERS[String(protocol)] ?? protocol}`;
}

/** `ip saddr 10.0.0.0/24`, nothing for the whole IPv4 space. */
export function prefixMatch(field: 'saddr' | 'daddr', prefix: string): string {
  return prefix === '0.0.0.0/0' ? '' : `ip ${field} ${prefix}`;
}

/** `ip saddr { 10.0.0.2, 10.0.0.3 }` for a set of addresses. */
export function addressSetMatch(field: 'saddr' | 'daddr', addresses: readonly string[]): string {
  return addresses.length === 1 ? `ip ${field} ${addresses[0]}` : `ip ${field} { ${addresses.join(', ')} }`;
}

/** Joins the non-empty parts of a rule with single spaces. */
export const rule = (...parts: string[]): string => parts.filter((p) => p !== '').join(' ');

/**
 * nftables match expressions for the cloud's rule parts: address families, protocols, port
 * ranges, ICMP and ICMPv6 type and code, prefixes, address sets; and the text of chains and
 * tables. Shared by every ruleset of a realization (security groups and network ACLs live in
 * `inet` tables and so say which family a rule is for).
 */
import { prefixContains, type PrefixValue } from '../packet/ip-value.js';
import type { Protocol } from '../topology/model.js';

const PROTO_NUMBERS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58 };

export type Family = 4 | 6;

/** `meta nfproto ipv4` or `meta nfproto ipv6`. */
export const familyMatch = (family: Family): string => `meta nfproto ipv${family}`;

/**
 * `tcp dport 80`, `udp dport 53-54`, `icmp type 8 icmp code 0`, `icmpv6 type 128`,
 * `meta l4proto 47`, or ''. Null when the protocol cannot occur in the family (ICMP in IPv6,
 * ICMPv6 in IPv4): such a rule matches nothing, in vnet as in Neutron's drivers.
 */
export function protocolMatch(
  protocol: Protocol,
  ports: { readonly from: number; readonly to: number } | null,
  icmpType: number | null,
  icmpCode: number | null,
  family: Family = 4,
): string | null {
  if (protocol === 'any') return '';
  if (protocol === 'tcp' || protocol === 'udp') {
    if (!ports) return `meta l4proto ${protocol}`;
    return `${protocol} dport ${ports.from === ports.to ? ports.from : `${ports.from}-${ports.to}`}`;
  }
  if (protocol === 'icmp' || protocol === 'icmpv6') {
    if ((protocol === 'icmp') !== (family === 4)) return null;
    if (icmpType === null) return `meta l4proto ${protocol === 'icmp' ? 'icmp' : 'ipv6-icmp'}`;
    return `${protocol} type ${icmpType}${icmpCode === null ? '' : ` ${protocol} code ${icmpCode}`}`;
  }
  return `meta l4proto ${PROTO_NUMBERS[String(protocol)] ?? protocol}`;
}

/** `ip saddr 10.0.0.0/24`, `ip6 daddr 2001:db8::/64`; nothing for a whole address space. */
export function prefixMatch(field: 'saddr' | 'daddr', prefix: string): string {
  if (prefix === '0.0.0.0/0' || prefix === '::/0') return '';
  return `${prefix.includes(':') ? 'ip6' : 'ip'} ${field} ${prefix}`;
}

/** One element alone, or an anonymous set: `10.0.0.2`, `{ 10.0.0.2, 10.0.0.3 }`. */
export const setOf = (items: readonly string[]): string => (items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`);

/** `ip saddr { 10.0.0.2, 10.0.0.3 }` for a set of addresses of one family. */
export function addressSetMatch(field: 'saddr' | 'daddr', addresses: readonly string[]): string {
  return `${addresses[0]?.includes(':') ? 'ip6' : 'ip'} ${field} ${setOf(addresses)}`;
}

/** A chain's lines in a table's text, its statements indented under it. */
export const chainText = (name: string, lines: readonly string[]): string[] => [`  chain ${name} {`, ...lines.map((l) => `    ${l}`), '  }'];

/**
 * A table with one drop counter whose forward chain (policy accept) sends each interface's
 * traffic to a chain of its own: the shape of the ACL and port-security rulesets.
 */
export function forwardDispatchTable(table: string, counter: string, dispatch: readonly string[], chains: readonly string[]): string {
  return [
    `table ${table} {`,
    `  counter ${counter} { }`,
    ...chainText('forward', ['type filter hook forward priority filter; policy accept;', ...dispatch]),
    ...chains,
    '}',
    '',
  ].join('\n');
}

/**
 * The elements of an address set that no other element covers (equal ones are merged by the
 * caller): an nftables set refuses overlapping intervals, and a covered element adds nothing.
 */
export function withoutCovered<T extends { readonly prefix: PrefixValue }>(elements: readonly T[]): T[] {
  const inside = (a: PrefixValue, b: PrefixValue) => b.length < a.length && prefixContains(b, a.network);
  return elements.filter((e) => !elements.some((f) => inside(e.prefix, f.prefix)));
}

/** Joins the non-empty parts of a rule with single spaces. */
export const rule = (...parts: string[]): string => parts.filter((p) => p !== '').join(' ');

/**
 * A security-group rule in matching form (Neutron's rule model): ethertype,
 * protocol number or any, destination port range (TCP/UDP), ICMP type/code, and a remote —
 * any, a prefix, or the members of a group. `order` is the rule's place in the port's union
 * (group order on the port, then rule index), which decides only which rule a verdict names,
 * never whether traffic passes: the union of allow rules is order-free.
 */
import { toPrefixValue, prefixContains, type IpValue, type PrefixValue } from '../packet/ip-value.js';
import type { SecurityGroupRule } from '../topology/model.js';
import { PROTO, type PacketFields } from './packet-fields.js';

export interface MatchRule {
  readonly order: number;
  readonly group: string;
  readonly index: number;
  readonly text: string;
  readonly direction: 'ingress' | 'egress';
  readonly version: 4 | 6;
  /** IP protocol number, or -1 for any. */
  readonly proto: number;
  readonly portFrom: number;
  readonly portTo: number;
  readonly icmpType: number;
  readonly icmpCode: number;
  readonly remote: { readonly kind: 'any' } | { readonly kind: 'prefix'; readonly prefix: PrefixValue } | { readonly kind: 'group'; readonly group: string };
}

/** Members of each group: every fixed address (and allowed address pair) of its ports. */
export type GroupMembers = ReadonlyMap<string, { readonly addresses: ReadonlySet<IpValue>; readonly prefixes: readonly PrefixValue[] }>;

const PROTO_NUMBERS: Record<string, number> = { tcp: PROTO.tcp, udp: PROTO.udp, icmp: PROTO.icmp, icmpv6: PROTO.icmpv6, any: -1 };

export function toMatchRule(group: string, r: SecurityGroupRule, order: number): MatchRule {
  const proto = typeof r.protocol === 'number' ? r.protocol : PROTO_NUMBERS[r.protocol]!;
  const remote = r.remoteGroup !== null
    ? { kind: 'group' as const, group: r.remoteGroup }
    : r.remoteIpPrefix && r.remoteIpPrefix.cidr.prefix > 0
      ? { kind: 'prefix' as const, prefix: toPrefixValue(r.remoteIpPrefix.cidr) }
      : { kind: 'any' as const };
  return {
    order, group, index: r.index, text: r.text, direction: r.direction, version: r.ethertype === 'IPv4' ? 4 : 6, proto,
    portFrom: r.ports?.from ?? 0, portTo: r.ports?.to ?? 65535, icmpType: r.icmpType ?? -1, icmpCode: r.icmpCode ?? -1, remote,
  };
}

/** The address a rule's remote is compared with: the source for ingress, the destination for egress. */
export const remoteOf = (f: PacketFields, direction: 'ingress' | 'egress'): IpValue => (direction === 'ingress' ? f.src : f.dst);

export function remoteMatches(r: MatchRule, addr: IpValue, members: GroupMembers): boolean {
  if (r.remote.kind === 'any') return true;
  if (r.remote.kind === 'prefix') return prefixContains(r.remote.prefix, addr);
  const m = members.get(r.remote.group);
  return m !== undefined && (m.addresses.has(addr) || m.prefixes.some((p) => prefixContains(p, addr)));
}

/** Does the rule's protocol part (protocol, TCP/UDP ports, ICMP type and code) match the packet? */
export function protocolMatches(r: MatchRule, f: PacketFields): boolean {
  if (r.proto !== -1 && r.proto !== f.proto) return false;
  if (r.proto === PROTO.tcp || r.proto === PROTO.udp) {
    if (f.dport < r.portFrom || f.dport > r.portTo) return false;
  } else if (r.proto === PROTO.icmp || r.proto === PROTO.icmpv6) {
    if (r.icmpType !== -1 && r.icmpType !== f.icmpType) return false;
    if (r.icmpCode !== -1 && r.icmpCode !== f.icmpCode) return false;
  }
  return true;
}

/** Does the rule allow this packet in this direction? (The reference semantics.) */
export function ruleMatches(r: MatchRule, f: PacketFields, direction: 'ingress' | 'egress', members: GroupMembers): boolean {
  if (r.direction !== direction || r.version !== f.version) return false;
  return protocolMatches(r, f) && remoteMatches(r, remoteOf(f, direction), members);
}

/**
 * Rule containment: does rule A match every packet rule B matches? Decided on the rules'
 * fields alone (protocol any ⊇ a protocol, port range ⊇ port range, ICMP type/code or any,
 * remote prefix ⊇ prefix, a remote group only by itself), so it is sound for any membership:
 * when `covers(a, b)`, `ruleMatches(b, p) ⇒ ruleMatches(a, p)` for every packet p
 * (property-tested in test/property/audit/redundancy.test.ts). It is not complete: a rule
 * covered only by the union of several others, or by a prefix that holds a group's
 * current members, is not reported.
 */
import { PROTO } from '../firewall/packet-fields.js';
import type { MatchRule } from '../firewall/rule.js';
import { prefixContains, toPrefixValue, type PrefixValue } from '../packet/ip-value.js';
import type { AclRule } from '../topology/model.js';

const isPorts = (proto: number) => proto === PROTO.tcp || proto === PROTO.udp;
const isIcmp = (proto: number) => proto === PROTO.icmp || proto === PROTO.icmpv6;

/** Is prefix b inside prefix a? */
export const prefixWithin = (a: PrefixValue, b: PrefixValue): boolean =>
  a.length <= b.length && typeof a.network === typeof b.network && prefixContains(a, b.network);

/** Protocol, ports and ICMP type/code of a contain those of b (-1 = any, as MatchRule has them). */
function matchFieldsCover(
  a: { proto: number; portFrom: number; portTo: number; icmpType: number; icmpCode: number },
  b: { proto: number; portFrom: number; portTo: number; icmpType: number; icmpCode: number },
): boolean {
  if (a.proto === -1) return true;
  if (a.proto !== b.proto) return false;
  if (isPorts(a.proto)) return a.portFrom <= b.portFrom && b.portTo <= a.portTo;
  if (isIcmp(a.proto)) {
    return (a.icmpType === -1 || a.icmpType === b.icmpType) && (a.icmpCode === -1 || a.icmpCode === b.icmpCode);
  }
  return true;
}

/** Security-group rules: same direction and ethertype, and every field of a contains b's. */
export function ruleCovers(a: MatchRule, b: MatchRule): boolean {
  if (a.direction !== b.direction || a.version !== b.version) return false;
  if (!matchFieldsCover(a, b)) return false;
  const ra = a.remote;
  const rb = b.remote;
  if (ra.kind === 'any') return true;
  if (ra.kind === 'prefix') return rb.kind === 'prefix' && prefixWithin(ra.prefix, rb.prefix);
  return rb.kind === 'group' && rb.group === ra.group;
}

const ACL_PROTO: Record<string, number> = { tcp: PROTO.tcp, udp: PROTO.udp, icmp: PROTO.icmp, icmpv6: PROTO.icmpv6, any: -1 };

/** An ACL rule in the same numeric form (ports null = any port, type/code null = any). */
export function aclFields(r: AclRule) {
  return {
    proto: typeof r.protocol === 'number' ? r.protocol : ACL_PROTO[r.protocol]!,
    portFrom: r.ports?.from ?? 0,
    portTo: r.ports?.to ?? 65535,
    icmpType: r.icmpType ?? -1,
    icmpCode: r.icmpCode ?? -1,
  };
}

/** Network-ACL rules (same direction assumed): a matches every packet b matches. */
export function aclRuleCovers(a: AclRule, b: AclRule): boolean {
  return matchFieldsCover(aclFields(a), aclFields(b)) && prefixWithin(toPrefixValue(a.cidr.cidr), toPrefixValue(b.cidr.cidr));
}

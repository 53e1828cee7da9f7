/**
 * AWS-style network ACLs: stateless, numbered rules evaluated lowest number first, the first
 * match decides (allow or deny), and a packet no rule matches is denied (the `*` rule).
 * Checked where traffic crosses a subnet's boundary: leaving it (egress, the destination is
 * matched against the rule's CIDR) and entering it (ingress, the source is). Being stateless,
 * replies need their own rules (the ephemeral ports 1024-65535).
 */
import { prefixContains, toPrefixValue, type PrefixValue } from '../packet/ip-value.js';
import type { AclRule, NetworkAcl } from '../topology/model.js';
import { PROTO, type PacketFields } from './packet-fields.js';

interface CompiledAclRule {
  readonly rule: AclRule;
  readonly proto: number;
  readonly prefix: PrefixValue;
}

export interface AclDecision {
  readonly action: 'allow' | 'deny';
  /** The matching rule, or undefined for the implicit deny. */
  readonly rule: AclRule | undefined;
}

const PROTO_NUMBERS: Record<string, number> = { tcp: PROTO.tcp, udp: PROTO.udp, icmp: PROTO.icmp, icmpv6: PROTO.icmpv6, any: -1 };

export class AclEvaluator {
  private readonly ingress: CompiledAclRule[];
  private readonly egress: CompiledAclRule[];

  constructor(readonly acl: NetworkAcl) {
    const compile = (r: AclRule): CompiledAclRule => ({ rule: r, proto: typeof r.protocol === 'number' ? r.protocol : PROTO_NUMBERS[r.protocol]!, prefix: toPrefixValue(r.cidr.cidr) });
    this.ingress = acl.ingress.map(compile);
    this.egress = acl.egress.map(compile);
  }

  evaluate(f: PacketFields, direction: 'ingress' | 'egress'): AclDecision {
    const remote = direction === 'ingress' ? f.src : f.dst;
    for (const c of direction === 'ingress' ? this.ingress : this.egress) {
      if (c.proto !== -1 && c.proto !== f.proto) continue;
      if ((typeof c.prefix.network === 'number') !== (typeof remote === 'number') || !prefixContains(c.prefix, remote)) continue;
      const r = c.rule;
      if (r.ports && (f.dport < r.ports.from || f.dport > r.ports.to)) continue;
      if (r.icmpType !== null && r.icmpType !== f.icmpType) continue;
      if (r.icmpCode !== null && r.icmpCode !== f.icmpCode) continue;
      return { action: r.action, rule: r };
    }
    return { action: 'deny', rule: undefined };
  }
}

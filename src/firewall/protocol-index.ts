/**
 * Rules indexed by their protocol part (protocol, TCP/UDP destination port, ICMP type and code):
 * the first rule, in union order, whose protocol part matches a packet, in a hash probe or two
 * and a binary search (port-index.ts) whatever the rule count. It serves the rules open to any
 * remote, and every long candidate list of the remote index (candidate-list.ts). The remote is
 * not looked at: the caller has matched it already.
 */
import { PROTO, type PacketFields } from './packet-fields.js';
import { PortIndex } from './port-index.js';
import type { MatchRule } from './rule.js';

const earlier = (a: MatchRule | undefined, b: MatchRule | undefined): MatchRule | undefined => (!a ? b : !b ? a : a.order <= b.order ? a : b);

interface IcmpType {
  anyCode: MatchRule | undefined;
  readonly byCode: Map<number, MatchRule>;
}

export class ProtocolIndex {
  private anyProto: MatchRule | undefined;
  private readonly tcp = new PortIndex();
  private readonly udp = new PortIndex();
  private icmpAnyType: MatchRule | undefined;
  private readonly icmpByType = new Map<number, IcmpType>();
  private readonly otherProto = new Map<number, MatchRule>();

  /** `icmpProto`: the ICMP of the rules' IP version (1, or 58 for IPv6), whose type and code rules carry. */
  constructor(private readonly icmpProto: number, rules: Iterable<MatchRule>) {
    for (const r of rules) this.add(r);
    this.tcp.build();
    this.udp.build();
  }

  private add(r: MatchRule): void {
    if (r.proto === -1) this.anyProto = earlier(this.anyProto, r);
    else if (r.proto === PROTO.tcp) this.tcp.add(r);
    else if (r.proto === PROTO.udp) this.udp.add(r);
    else if (r.proto === this.icmpProto) this.addIcmp(r);
    else this.otherProto.set(r.proto, earlier(this.otherProto.get(r.proto), r)!);
  }

  private addIcmp(r: MatchRule): void {
    if (r.icmpType === -1) {
      this.icmpAnyType = earlier(this.icmpAnyType, r);
      return;
    }
    let t = this.icmpByType.get(r.icmpType);
    if (!t) this.icmpByType.set(r.icmpType, (t = { anyCode: undefined, byCode: new Map() }));
    if (r.icmpCode === -1) t.anyCode = earlier(t.anyCode, r);
    else t.byCode.set(r.icmpCode, earlier(t.byCode.get(r.icmpCode), r)!);
  }

  /** The first rule whose protocol part matches the packet. */
  lookup(f: PacketFields): MatchRule | undefined {
    let found: MatchRule | undefined;
    if (f.proto === PROTO.tcp) found = this.tcp.lookup(f.dport);
    else if (f.proto === PROTO.udp) found = this.udp.lookup(f.dport);
    else if (f.proto === this.icmpProto) {
      const t = this.icmpByType.get(f.icmpType);
      found = earlier(this.icmpAnyType, t && earlier(t.anyCode, t.byCode.get(f.icmpCode)));
    } else found = this.otherProto.get(f.proto);
    return earlier(this.anyProto, found);
  }
}

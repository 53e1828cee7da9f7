/**
 * The compiled matcher: the port's rule union indexed so that a lookup costs about the same
 * with 10 rules or 10,000. Rules are bucketed by direction and IP version, then by protocol;
 * TCP/UDP rules by destination port (port-index.ts), ICMP rules by type and code; at the leaves
 * a remote index answers "first rule whose remote contains this address" (remote-index.ts).
 * Each step passes on the order of the best rule found so far, so later indexes stop early.
 * Among all candidates the one first in union order is returned: the answer equals the linear
 * evaluator's, which the property tests check.
 */
import type { Matcher } from './matcher.js';
import { PROTO, type PacketFields } from './packet-fields.js';
import { PortIndex } from './port-index.js';
import { RemoteIndex, type RemoteKey } from './remote-index.js';
import { remoteOf, type GroupMembers, type MatchRule } from './rule.js';
import { writeWords } from './words.js';

/** ICMP: by type, then by code. */
class IcmpIndex {
  private readonly anyType: RemoteIndex;
  private readonly byType = new Map<number, { anyCode: RemoteIndex; byCode: Map<number, RemoteIndex> }>();

  constructor(private readonly version: 4 | 6) {
    this.anyType = new RemoteIndex(version);
  }

  add(r: MatchRule, members: GroupMembers): void {
    if (r.icmpType === -1) {
      this.anyType.add(r, members);
      return;
    }
    let t = this.byType.get(r.icmpType);
    if (!t) this.byType.set(r.icmpType, (t = { anyCode: new RemoteIndex(this.version), byCode: new Map() }));
    if (r.icmpCode === -1) {
      t.anyCode.add(r, members);
      return;
    }
    let c = t.byCode.get(r.icmpCode);
    if (!c) t.byCode.set(r.icmpCode, (c = new RemoteIndex(this.version)));
    c.add(r, members);
  }

  lookup(type: number, code: number, key: RemoteKey, bound: number): MatchRule | undefined {
    let best = this.anyType.lookup(key, bound);
    if (best) bound = best.order;
    const t = this.byType.get(type);
    if (!t) return best;
    const byType = t.anyCode.lookup(key, bound);
    if (byType) {
      best = byType;
      bound = byType.order;
    }
    return t.byCode.get(code)?.lookup(key, bound) ?? best;
  }
}

/** The rules of one direction and IP version. */
class Bucket {
  readonly anyProto: RemoteIndex;
  readonly tcp: PortIndex;
  readonly udp: PortIndex;
  readonly icmp: IcmpIndex;
  /** Rules for other protocol numbers match those packets as a whole. */
  readonly otherProto = new Map<number, RemoteIndex>();

  constructor(readonly version: 4 | 6) {
    this.anyProto = new RemoteIndex(version);
    this.tcp = new PortIndex(version);
    this.udp = new PortIndex(version);
    this.icmp = new IcmpIndex(version);
  }

  add(r: MatchRule, members: GroupMembers): void {
    if (r.proto === -1) this.anyProto.add(r, members);
    else if (r.proto === PROTO.tcp) this.tcp.add(r, members);
    else if (r.proto === PROTO.udp) this.udp.add(r, members);
    else if (r.proto === (this.version === 4 ? PROTO.icmp : PROTO.icmpv6)) this.icmp.add(r, members);
    else {
      let o = this.otherProto.get(r.proto);
      if (!o) this.otherProto.set(r.proto, (o = new RemoteIndex(this.version)));
      o.add(r, members);
    }
  }

  lookup(f: PacketFields, key: RemoteKey): MatchRule | undefined {
    const best = this.anyProto.lookup(key, Infinity);
    const bound = best ? best.order : Infinity;
    let found: MatchRule | undefined;
    if (f.proto === PROTO.tcp) found = this.tcp.lookup(f.dport, key, bound);
    else if (f.proto === PROTO.udp) found = this.udp.lookup(f.dport, key, bound);
    else if (f.proto === (this.version === 4 ? PROTO.icmp : PROTO.icmpv6)) found = this.icmp.lookup(f.icmpType, f.icmpCode, key, bound);
    else found = this.otherProto.get(f.proto)?.lookup(key, bound);
    return found ?? best;
  }
}

/** A bucket's slot: ingress IPv4, ingress IPv6, egress IPv4, egress IPv6. */
const slot = (direction: 'ingress' | 'egress', version: 4 | 6): number => (direction === 'ingress' ? 0 : 2) + (version === 4 ? 0 : 1);

export class CompiledMatcher implements Matcher {
  private readonly buckets: (Bucket | undefined)[] = [undefined, undefined, undefined, undefined];
  /** Reused for every lookup: the remote address and its words (no allocation per packet). */
  private readonly key: RemoteKey = { addr: 0, words: new Uint32Array(4) };

  constructor(rules: readonly MatchRule[], members: GroupMembers) {
    for (const r of rules) {
      const i = slot(r.direction, r.version);
      (this.buckets[i] ??= new Bucket(r.version)).add(r, members);
    }
    for (const b of this.buckets) {
      b?.tcp.build(members);
      b?.udp.build(members);
    }
  }

  match(f: PacketFields, direction: 'ingress' | 'egress'): MatchRule | undefined {
    const b = this.buckets[slot(direction, f.version)];
    if (!b) return undefined;
    const addr = remoteOf(f, direction);
    this.key.addr = addr;
    if (typeof addr !== 'number') writeWords(addr, this.key.words);
    return b.lookup(f, this.key);
  }
}

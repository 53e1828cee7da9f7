/**
 * The compiled matcher: the port's rule union indexed so that a lookup costs about the same
 * with 5 rules or 5,000. Rules are bucketed by direction and IP version, then by protocol;
 * TCP/UDP buckets split the port space into elementary segments (binary search on the
 * packet's destination port), ICMP buckets key on type and code; at the leaves a remote index
 * answers "first rule whose remote contains this address" with one hash probe for remote
 * groups and host prefixes and a trie walk for other prefixes. Among all candidates the one
 * first in union order is returned, so the answer equals the linear evaluator's.
 */
import type { IpValue } from '../packet/ip-value.js';
import type { Matcher } from './matcher.js';
import { PROTO, type PacketFields } from './packet-fields.js';
import { PrefixTrie } from './prefix-trie.js';
import { remoteOf, type GroupMembers, type MatchRule } from './rule.js';

const first = (a: MatchRule | undefined, b: MatchRule | undefined): MatchRule | undefined => (!a ? b : !b ? a : a.order <= b.order ? a : b);

/** Rules that all match the packet's protocol fields; only the remote is left to check. */
class RemoteIndex {
  private any: MatchRule | undefined;
  private readonly hosts = new Map<IpValue, MatchRule>();
  private readonly trie: PrefixTrie<MatchRule>;
  private empty = true;

  constructor(private readonly version: 4 | 6) {
    this.trie = new PrefixTrie(version === 4 ? 32 : 128);
  }

  add(r: MatchRule, members: GroupMembers): void {
    this.empty = false;
    const full = this.version === 4 ? 32 : 128;
    if (r.remote.kind === 'any') this.any = first(this.any, r);
    else if (r.remote.kind === 'prefix') {
      if (r.remote.prefix.length === full) this.hosts.set(r.remote.prefix.network, first(this.hosts.get(r.remote.prefix.network), r)!);
      else this.trie.insert(r.remote.prefix, r);
    } else {
      // Remote groups are expanded to their members' addresses once, at compile time.
      const m = members.get(r.remote.group);
      if (!m) return;
      for (const a of m.addresses) if ((typeof a === 'number') === (this.version === 4)) this.hosts.set(a, first(this.hosts.get(a), r)!);
      for (const p of m.prefixes) if ((typeof p.network === 'number') === (this.version === 4)) this.trie.insert(p, r);
    }
  }

  lookup(addr: IpValue): MatchRule | undefined {
    if (this.empty) return undefined;
    return first(first(this.any, this.hosts.get(addr)), this.trie.lookup(addr));
  }
}

/** TCP or UDP: elementary port segments, each with the rules covering it. */
class PortIndex {
  private starts: number[] = [];
  private segments: RemoteIndex[] = [];
  private readonly allPorts: RemoteIndex;
  private readonly ranged: MatchRule[] = [];

  constructor(private readonly version: 4 | 6) {
    this.allPorts = new RemoteIndex(version);
  }

  add(r: MatchRule, members: GroupMembers): void {
    if (r.portFrom <= 0 && r.portTo >= 65535) this.allPorts.add(r, members);
    else this.ranged.push(r);
  }

  build(members: GroupMembers): void {
    const cuts = new Set<number>([0]);
    for (const r of this.ranged) { cuts.add(r.portFrom); cuts.add(r.portTo + 1); }
    this.starts = [...cuts].filter((c) => c <= 65535).sort((a, b) => a - b);
    this.segments = this.starts.map(() => new RemoteIndex(this.version));
    for (const r of this.ranged) {
      for (let i = this.segmentOf(r.portFrom); i < this.starts.length && this.starts[i]! <= r.portTo; i++) this.segments[i]!.add(r, members);
    }
  }

  private segmentOf(port: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= port) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  lookup(port: number, addr: IpValue): MatchRule | undefined {
    const seg = this.segments.length ? this.segments[this.segmentOf(port)]!.lookup(addr) : undefined;
    return first(seg, this.allPorts.lookup(addr));
  }
}

/** ICMP: by type, then by code. */
class IcmpIndex {
  private readonly anyType: RemoteIndex;
  private readonly byType = new Map<number, { anyCode: RemoteIndex; byCode: Map<number, RemoteIndex> }>();

  constructor(private readonly version: 4 | 6) {
    this.anyType = new RemoteIndex(version);
  }

  add(r: MatchRule, members: GroupMembers): void {
    if (r.icmpType === -1) { this.anyType.add(r, members); return; }
    let t = this.byType.get(r.icmpType);
    if (!t) this.byType.set(r.icmpType, (t = { anyCode: new RemoteIndex(this.version), byCode: new Map() }));
    if (r.icmpCode === -1) { t.anyCode.add(r, members); return; }
    let c = t.byCode.get(r.icmpCode);
    if (!c) t.byCode.set(r.icmpCode, (c = new RemoteIndex(this.version)));
    c.add(r, members);
  }

  lookup(type: number, code: number, addr: IpValue): MatchRule | undefined {
    const t = this.byType.get(type);
    return first(first(this.anyType.lookup(addr), t?.anyCode.lookup(addr)), t?.byCode.get(code)?.lookup(addr));
  }
}

class Bucket {
  readonly anyProto: RemoteIndex;
  readonly ports = new Map<number, PortIndex>();
  readonly icmp: IcmpIndex;
  /** Rules for TCP/UDP or ICMP protocol numbers match only those; other numbers match as a whole. */
  readonly otherProto = new Map<number, RemoteIndex>();

  constructor(readonly version: 4 | 6) {
    this.anyProto = new RemoteIndex(version);
    this.icmp = new IcmpIndex(version);
  }
}

export class CompiledMatcher implements Matcher {
  private readonly buckets = new Map<string, Bucket>();

  constructor(rules: readonly MatchRule[], members: GroupMembers) {
    for (const r of rules) {
      const key = `${r.direction}|${r.version}`;
      let b = this.buckets.get(key);
      if (!b) this.buckets.set(key, (b = new Bucket(r.version)));
      if (r.proto === -1) b.anyProto.add(r, members);
      else if (r.proto === PROTO.tcp || r.proto === PROTO.udp) {
        let p = b.ports.get(r.proto);
        if (!p) b.ports.set(r.proto, (p = new PortIndex(r.version)));
        p.add(r, members);
      } else if (r.proto === (r.version === 4 ? PROTO.icmp : PROTO.icmpv6)) b.icmp.add(r, members);
      else {
        let o = b.otherProto.get(r.proto);
        if (!o) b.otherProto.set(r.proto, (o = new RemoteIndex(r.version)));
        o.add(r, members);
      }
    }
    for (const b of this.buckets.values()) for (const p of b.ports.values()) p.build(members);
  }

  match(f: PacketFields, direction: 'ingress' | 'egress'): MatchRule | undefined {
    const b = this.buckets.get(`${direction}|${f.version}`);
    if (!b) return undefined;
    const addr = remoteOf(f, direction);
    let best = b.anyProto.lookup(addr);
    if (f.proto === PROTO.tcp || f.proto === PROTO.udp) best = first(best, b.ports.get(f.proto)?.lookup(f.dport, addr));
    else if (f.proto === (f.version === 4 ? PROTO.icmp : PROTO.icmpv6)) best = first(best, b.icmp.lookup(f.icmpType, f.icmpCode, addr));
    else best = first(best, b.otherProto.get(f.proto)?.lookup(addr));
    return best;
  }
}

/**
 * The compiled matcher: the port's rule union indexed so that a lookup costs about the same
 * with 10 rules or 10,000. Rules are bucketed by direction and IP version. Within a bucket,
 * rules open to any remote are indexed by protocol, port (port-index.ts) and ICMP type and
 * code down to one rule per leaf; rules with a remote prefix or group are indexed by address
 * first (remote-candidates.ts), each key holding a short ordered list checked against the
 * packet's protocol fields. The first answer's order bounds the second search. Among all
 * candidates the one first in union order is returned: the answer equals the linear
 * evaluator's, which the property tests check.
 */
import type { Matcher } from './matcher.js';
import { PROTO, type PacketFields } from './packet-fields.js';
import { PortIndex } from './port-index.js';
import { RemoteCandidates, type RemoteKey } from './remote-candidates.js';
import { remoteOf, type GroupMembers, type MatchRule } from './rule.js';
import { writeWords } from './words.js';

const earlier = (a: MatchRule | undefined, b: MatchRule | undefined): MatchRule | undefined => (!a ? b : !b ? a : a.order <= b.order ? a : b);

/** Rules open to any remote, by protocol: the first rule that matches each protocol, port and ICMP type/code. */
class AnyRemote {
  private anyProto: MatchRule | undefined;
  private readonly tcp = new PortIndex();
  private readonly udp = new PortIndex();
  private icmpAnyType: MatchRule | undefined;
  private readonly icmpByType = new Map<number, { anyCode: MatchRule | undefined; byCode: Map<number, MatchRule> }>();
  private readonly otherProto = new Map<number, MatchRule>();

  constructor(private readonly icmpProto: number) {}

  add(r: MatchRule): void {
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

  build(): void {
    this.tcp.build();
    this.udp.build();
  }

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

/** The rules of one direction and IP version. */
class Bucket {
  readonly anyRemote: AnyRemote;
  readonly remotes: RemoteCandidates;

  constructor(version: 4 | 6) {
    this.anyRemote = new AnyRemote(version === 4 ? PROTO.icmp : PROTO.icmpv6);
    this.remotes = new RemoteCandidates(version);
  }

  add(r: MatchRule, members: GroupMembers): void {
    if (r.remote.kind === 'any') this.anyRemote.add(r);
    else this.remotes.add(r, members);
  }

  lookup(f: PacketFields, key: RemoteKey): MatchRule | undefined {
    const open = this.anyRemote.lookup(f);
    return this.remotes.lookup(f, key, open ? open.order : Infinity) ?? open;
  }
}

/** A bucket's slot: ingress IPv4, ingress IPv6, egress IPv4, egress IPv6. */
const slot = (direction: 'ingress' | 'egress', version: 4 | 6): number => (direction === 'ingress' ? 0 : 2) + (version === 4 ? 0 : 1);

export class CompiledMatcher implements Matcher {
  private readonly buckets: (Bucket | undefined)[] = [undefined, undefined, undefined, undefined];
  /** Reused for every lookup: the remote address's words (no allocation per packet). */
  private readonly key: RemoteKey = { words: new Uint32Array(4) };

  constructor(rules: readonly MatchRule[], members: GroupMembers) {
    for (const r of rules) (this.buckets[slot(r.direction, r.version)] ??= new Bucket(r.version)).add(r, members);
    for (const b of this.buckets) b?.anyRemote.build();
  }

  match(f: PacketFields, direction: 'ingress' | 'egress'): MatchRule | undefined {
    const b = this.buckets[slot(direction, f.version)];
    if (!b) return undefined;
    writeWords(remoteOf(f, direction), this.key.words);
    return b.lookup(f, this.key);
  }
}

/**
 * The compiled matcher: the port's rule union indexed so that a lookup costs about the same
 * with 10 rules or 10,000. Rules are bucketed by direction and IP version. Within a bucket,
 * rules open to any remote are indexed by protocol, port and ICMP type and code
 * (protocol-index.ts); rules with a remote prefix or group are indexed by address first
 * (remote-candidates.ts), each key leading to a shared ordered list checked against the
 * packet's protocol fields. The first answer's order bounds the second search. Among all
 * candidates the one first in union order is returned: the answer equals the linear
 * evaluator's, which the property tests check.
 */
import type { Matcher } from './matcher.js';
import { PROTO, type PacketFields } from './packet-fields.js';
import { ProtocolIndex } from './protocol-index.js';
import { RemoteCandidates, type RemoteKey } from './remote-candidates.js';
import { remoteOf, type GroupMembers, type MatchRule } from './rule.js';
import { writeWords } from './words.js';

/** The rules of one direction and IP version. */
class Bucket {
  readonly anyRemote: ProtocolIndex | undefined;
  readonly remotes: RemoteCandidates;

  constructor(version: 4 | 6, rules: readonly MatchRule[], members: GroupMembers) {
    const open = rules.filter((r) => r.remote.kind === 'any');
    this.anyRemote = open.length ? new ProtocolIndex(version === 4 ? PROTO.icmp : PROTO.icmpv6, open) : undefined;
    this.remotes = new RemoteCandidates(version);
    for (const r of rules) if (r.remote.kind !== 'any') this.remotes.add(r);
    this.remotes.build(members);
  }

  lookup(f: PacketFields, key: RemoteKey): MatchRule | undefined {
    const open = this.anyRemote?.lookup(f);
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
    const bySlot: MatchRule[][] = [[], [], [], []];
    for (const r of rules) bySlot[slot(r.direction, r.version)]!.push(r);
    for (let s = 0; s < 4; s++) if (bySlot[s]!.length) this.buckets[s] = new Bucket(s % 2 === 0 ? 4 : 6, bySlot[s]!, members);
  }

  match(f: PacketFields, direction: 'ingress' | 'egress'): MatchRule | undefined {
    const b = this.buckets[slot(direction, f.version)];
    if (!b) return undefined;
    writeWords(remoteOf(f, direction), this.key.words);
    return b.lookup(f, this.key);
  }
}

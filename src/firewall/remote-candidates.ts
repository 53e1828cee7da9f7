/**
 * Rules whose remote is a prefix or a group, indexed by address first (as ipset and nftables'
 * interval sets key on the address): prefixes in one hash per length (prefix-hash.ts), a group's
 * member addresses as host prefixes (/32, /128) and its members' allowed-pair prefixes as they
 * are. A group is expanded once, however many rules name it: its members' keys lead to the
 * group's rule list, shared (candidate-list.ts), and a key named by several sources (a prefix
 * rule, two groups) gets the merged list, shared by every key with the same sources. The first
 * rule of a key's list whose protocol part matches the packet answers. A packet costs a probe
 * per prefix length present, fewer when an earlier answer (its order passed as the bound)
 * leaves nothing to beat.
 */
import { prefixValue, type IpValue, type PrefixValue } from '../packet/ip-value.js';
import { CandidateList } from './candidate-list.js';
import { PROTO, type PacketFields } from './packet-fields.js';
import { PrefixHash } from './prefix-hash.js';
import type { GroupMembers, MatchRule } from './rule.js';

/** The remote address of the packet being matched, as 32-bit words (words.ts). */
export interface RemoteKey {
  readonly words: Uint32Array;
}

const hostPrefix = (a: IpValue): PrefixValue => prefixValue(a, typeof a === 'number' ? 32 : 128);

/** What one prefix leads to while building: the rules naming it, and the groups it is a member key of. */
interface KeySources {
  readonly prefix: PrefixValue;
  readonly rules: MatchRule[];
  readonly groups: string[];
}

export class RemoteCandidates {
  /** By length, then network (a number or a bigint: both compare by value as Map keys). */
  private readonly byPrefix = new Map<number, Map<IpValue, KeySources>>();
  /** The rules naming each remote group, in the order added. */
  private readonly groupRules = new Map<string, MatchRule[]>();
  private prefixes: PrefixHash<PacketFields, MatchRule, CandidateList> | undefined;

  constructor(private readonly version: 4 | 6) {}

  /** Adds a rule whose remote is a prefix or a group. */
  add(r: MatchRule): void {
    if (r.remote.kind === 'prefix') this.sourcesOf(r.remote.prefix).rules.push(r);
    else if (r.remote.kind === 'group') {
      const list = this.groupRules.get(r.remote.group);
      if (list) list.push(r);
      else this.groupRules.set(r.remote.group, [r]);
    }
  }

  private sourcesOf(prefix: PrefixValue): KeySources {
    let byNetwork = this.byPrefix.get(prefix.length);
    if (!byNetwork) this.byPrefix.set(prefix.length, (byNetwork = new Map()));
    let s = byNetwork.get(prefix.network);
    if (!s) byNetwork.set(prefix.network, (s = { prefix, rules: [], groups: [] }));
    return s;
  }

  private addMember(prefix: PrefixValue, group: string): void {
    const groups = this.sourcesOf(prefix).groups;
    if (!groups.includes(group)) groups.push(group);
  }

  /** Expands the groups' members (a group without members adds nothing) and builds the index; called once, after every add. */
  build(members: GroupMembers): void {
    const v4 = this.version === 4;
    for (const g of this.groupRules.keys()) {
      const m = members.get(g);
      if (!m) continue;
      for (const a of m.addresses) if ((typeof a === 'number') === v4) this.addMember(hostPrefix(a), g);
      for (const p of m.prefixes) if ((typeof p.network === 'number') === v4) this.addMember(p, g);
    }
    const icmp = v4 ? PROTO.icmp : PROTO.icmpv6;
    // A rule names one prefix, so only keys reached by groups alone can have the same list.
    const byGroups = new Map<string, CandidateList>();
    const entries: [PrefixValue, CandidateList][] = [];
    for (const byNetwork of this.byPrefix.values()) {
      for (const s of byNetwork.values()) {
        const sign = s.rules.length ? undefined : s.groups.length === 1 ? s.groups[0]! : JSON.stringify(s.groups.sort());
        let list = sign === undefined ? undefined : byGroups.get(sign);
        if (!list) {
          const rules = [...s.rules];
          for (const g of s.groups) for (const r of this.groupRules.get(g)!) rules.push(r);
          list = new CandidateList(rules.sort((a, b) => a.order - b.order), icmp);
          if (sign !== undefined) byGroups.set(sign, list);
        }
        entries.push([s.prefix, list]);
      }
    }
    this.prefixes = new PrefixHash(entries);
    this.byPrefix.clear();
  }

  /** The first rule matching the packet whose remote contains the key's address, if its order is below `bound`. */
  lookup(f: PacketFields, key: RemoteKey, bound: number): MatchRule | undefined {
    return this.prefixes!.lookup(key.words, bound, f);
  }
}

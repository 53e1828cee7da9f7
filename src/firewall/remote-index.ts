/**
 * Rules that all match a packet's protocol fields, indexed by remote: "the first rule whose
 * remote contains this address". A remote of any is one slot; host addresses and remote groups
 * (expanded to their members' addresses once, at compile time) one hash probe; other prefixes a
 * hash per length (IPv4) or a trie (IPv6). Every lookup takes a bound, the order of the best
 * rule found so far elsewhere, and gives up at once when nothing here can beat it.
 */
import type { IpValue } from '../packet/ip-value.js';
import { PrefixHash } from './prefix-hash.js';
import { PrefixTrie } from './prefix-trie.js';
import type { GroupMembers, MatchRule } from './rule.js';

/** The remote address of the packet being matched, with its words for the IPv6 trie. */
export interface RemoteKey {
  addr: IpValue;
  readonly words: Uint32Array;
}

export class RemoteIndex {
  private any: MatchRule | undefined;
  private hosts: Map<IpValue, MatchRule> | undefined;
  private v4: PrefixHash<MatchRule> | undefined;
  private v6: PrefixTrie<MatchRule> | undefined;
  /** The lowest order of any rule added. */
  private min = Infinity;

  constructor(private readonly version: 4 | 6) {}

  add(r: MatchRule, members: GroupMembers): void {
    if (r.order < this.min) this.min = r.order;
    if (r.remote.kind === 'any') {
      if (!this.any || r.order < this.any.order) this.any = r;
    } else if (r.remote.kind === 'prefix') {
      this.addPrefix(r.remote.prefix, r);
    } else {
      const m = members.get(r.remote.group);
      if (!m) return;
      for (const a of m.addresses) if ((typeof a === 'number') === (this.version === 4)) this.addHost(a, r);
      for (const p of m.prefixes) if ((typeof p.network === 'number') === (this.version === 4)) this.addPrefix(p, r);
    }
  }

  private addHost(a: IpValue, r: MatchRule): void {
    const hosts = (this.hosts ??= new Map());
    const held = hosts.get(a);
    if (!held || r.order < held.order) hosts.set(a, r);
  }

  private addPrefix(p: { readonly network: IpValue; readonly length: number; readonly mask: IpValue }, r: MatchRule): void {
    if (p.length === (this.version === 4 ? 32 : 128)) this.addHost(p.network, r);
    else if (this.version === 4) (this.v4 ??= new PrefixHash()).insert(p, r);
    else (this.v6 ??= new PrefixTrie()).insert(p, r);
  }

  /** The first rule whose remote contains key.addr, if its order is below `bound`. */
  lookup(key: RemoteKey, bound: number): MatchRule | undefined {
    if (this.min >= bound) return undefined;
    let best: MatchRule | undefined;
    if (this.any !== undefined && this.any.order < bound) {
      best = this.any;
      bound = best.order;
    }
    const host = this.hosts?.get(key.addr);
    if (host !== undefined && host.order < bound) {
      best = host;
      bound = host.order;
    }
    const prefix = this.version === 4 ? this.v4?.lookup(key.addr as number, bound) : this.v6?.lookup(key.words, bound);
    return prefix ?? best;
  }
}

/**
 * Rules whose remote is a prefix or a group, indexed by address first (as ipset and nftables'
 * interval sets key on the address): prefixes in one hash per length (prefix-hash.ts), a group's
 * member addresses as host prefixes (/32, /128) and its members' allowed-pair prefixes as they
 * are. Each key holds the rules naming it, in union order, and the first whose protocol part
 * matches the packet answers. A packet costs a probe per prefix length present, fewer when an
 * earlier answer (its order passed as the bound) leaves nothing to beat.
 */
import { prefixValue, type IpValue, type PrefixValue } from '../packet/ip-value.js';
import type { PacketFields } from './packet-fields.js';
import { PrefixHash } from './prefix-hash.js';
import { protocolMatches, type GroupMembers, type MatchRule } from './rule.js';

/** The remote address of the packet being matched, as 32-bit words (words.ts). */
export interface RemoteKey {
  readonly words: Uint32Array;
}

const hostPrefix = (a: IpValue): PrefixValue => prefixValue(a, typeof a === 'number' ? 32 : 128);

export class RemoteCandidates {
  private readonly prefixes = new PrefixHash<MatchRule>();

  constructor(private readonly version: 4 | 6) {}

  /** Adds a rule whose remote is a prefix or a group (a group without members adds nothing). */
  add(r: MatchRule, members: GroupMembers): void {
    if (r.remote.kind === 'prefix') this.prefixes.insert(r.remote.prefix, r);
    else if (r.remote.kind === 'group') {
      const m = members.get(r.remote.group);
      if (!m) return;
      for (const a of m.addresses) if ((typeof a === 'number') === (this.version === 4)) this.prefixes.insert(hostPrefix(a), r);
      for (const p of m.prefixes) if ((typeof p.network === 'number') === (this.version === 4)) this.prefixes.insert(p, r);
    }
  }

  /** The first rule matching the packet whose remote contains the key's address, if its order is below `bound`. */
  lookup(f: PacketFields, key: RemoteKey, bound: number): MatchRule | undefined {
    return this.prefixes.lookup(key.words, bound, protocolMatches, f);
  }
}

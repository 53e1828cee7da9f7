/**
 * The rules one remote key (a prefix, or a group member's address) leads to, in union order,
 * and the first of them whose protocol part matches a packet. One list is shared by every key
 * with the same rules: the addresses of a group's members all hold the group's list, built once,
 * instead of a copy per member. A short list is scanned; a long one (a group named by many
 * rules) is indexed by protocol and port, so a key with hundreds of rules costs one lookup.
 */
import type { PacketFields } from './packet-fields.js';
import { ProtocolIndex } from './protocol-index.js';
import { protocolMatches, type MatchRule } from './rule.js';

/** Lists longer than this are indexed (a scan of a few rules is cheaper than the index's probes). */
export const INDEXED_LENGTH = 8;

export class CandidateList {
  /** The lowest order in the list. */
  readonly min: number;
  private readonly index: ProtocolIndex | undefined;

  /** `rules` in union order (no rule twice); `icmpProto` as for ProtocolIndex. */
  constructor(readonly rules: readonly MatchRule[], icmpProto: number) {
    this.min = rules.length ? rules[0]!.order : Infinity;
    this.index = rules.length > INDEXED_LENGTH ? new ProtocolIndex(icmpProto, rules) : undefined;
  }

  /** The first rule whose protocol part matches the packet, if its order is below `bound`. */
  first(f: PacketFields, bound: number): MatchRule | undefined {
    if (this.min >= bound) return undefined;
    if (this.index !== undefined) {
      const r = this.index.lookup(f);
      return r !== undefined && r.order < bound ? r : undefined;
    }
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (r.order >= bound) return undefined;
      if (protocolMatches(r, f)) return r;
    }
    return undefined;
  }
}

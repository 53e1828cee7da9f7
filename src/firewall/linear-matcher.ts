/**
 * The reference evaluator: scan every rule of the port's union in order, return the first
 * that allows the packet. Obviously right, linear in the number of rules.
 */
import type { Matcher } from './matcher.js';
import type { PacketFields } from './packet-fields.js';
import { ruleMatches, type GroupMembers, type MatchRule } from './rule.js';

export class LinearMatcher implements Matcher {
  constructor(private readonly rules: readonly MatchRule[], private readonly members: GroupMembers) {}

  match(f: PacketFields, direction: 'ingress' | 'egress'): MatchRule | undefined {
    for (const r of this.rules) if (ruleMatches(r, f, direction, this.members)) return r;
    return undefined;
  }
}

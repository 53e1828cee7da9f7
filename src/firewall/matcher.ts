/**
 * The matcher interface both evaluators implement: given a packet's fields and a direction,
 * the first rule (in union order) that allows it, or none. The linear evaluator is the
 * reference; the compiled one must agree with it on every packet (a property test checks).
 */
import type { PacketFields } from './packet-fields.js';
import type { MatchRule } from './rule.js';

export interface Matcher {
  match(f: PacketFields, direction: 'ingress' | 'egress'): MatchRule | undefined;
}

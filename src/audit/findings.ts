/**
 * What an audit reports: a Finding names its kind, how much it matters (a `warning` fails the
 * audit, `info` does not), the group and rule it is about, and the place in the topology file
 * (a document path that the CLI turns into line:col). Findings are data, like Issues.
 */
import type { Path } from '../topology/issue.js';
import type { SecurityGroup, SecurityGroupRule } from '../topology/model.js';

export type FindingKind =
  | 'redundant-rule'
  | 'unused-group'
  | 'open-to-world'
  | 'empty-remote-group'
  | 'acl-unreachable-rule'
  | 'lb-health-blocked'
  | 'overlap-remote-prefix'
  | 'unused-rule';

export type Severity = 'warning' | 'info';

export interface Finding {
  readonly kind: FindingKind;
  readonly severity: Severity;
  /** The security group the finding is about. */
  readonly group?: string;
  /** The project that owns what the finding is about (its group, ACL or load balancer). */
  readonly project?: string;
  /**
   * A security-group rule's index as `vnet show` and traces number it (`web#2`: the default
   * egress rules count first), or a network-ACL rule's number.
   */
  readonly rule?: number;
  /** Where in the file: `['security_groups', 'web', 'rules', 0]` (the file's own rule list). */
  readonly path: Path;
  readonly message: string;
}

/** The order kinds are reported in (and the CLI's sections). */
export const KIND_ORDER: readonly FindingKind[] = [
  'open-to-world', 'redundant-rule', 'empty-remote-group', 'unused-group', 'acl-unreachable-rule', 'lb-health-blocked', 'overlap-remote-prefix', 'unused-rule',
];

export const KIND_TITLES: Readonly<Record<FindingKind, string>> = {
  'open-to-world': 'Open to the world on sensitive ports',
  'redundant-rule': 'Redundant rules',
  'empty-remote-group': 'Rules whose remote group has no members',
  'unused-group': 'Groups used by no port',
  'acl-unreachable-rule': 'Network ACL rules that can never match',
  'lb-health-blocked': 'Load-balancer health checks blocked by security groups',
  'overlap-remote-prefix': 'Remote prefixes that name another project\'s range only by overlap',
  'unused-rule': 'Rules no probe used',
};

/**
 * The file path of a rule. The model numbers a group's rules with the implicit default egress
 * rules first (unless `default_egress: false`), so the file's list index is the model index
 * less the defaults; a default rule has no line of its own and points at its group.
 */
export function rulePath(group: SecurityGroup, rule: SecurityGroupRule): Path {
  if (rule.origin === 'default') return ['security_groups', group.name];
  const defaults = group.rules.filter((r) => r.origin === 'default').length;
  return ['security_groups', group.name, 'rules', rule.index - defaults];
}

/** `web#2 (ingress tcp/22 from 0.0.0.0/0)`: how messages name a rule. */
export const ruleName = (group: string, rule: SecurityGroupRule): string => `${group}#${rule.index} (${rule.text})`;

/** Stable order: by kind, then as each check produced them (file order). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => KIND_ORDER.indexOf(f.kind);
  return findings.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
}

export const hasWarnings = (findings: readonly Finding[]): boolean => findings.some((f) => f.severity === 'warning');

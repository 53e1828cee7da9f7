/**
 * Redundant security-group rules. The rules of all groups on a port are one union,
 * so a rule allows nothing of its own when another rule in force wherever it is in force
 * covers it (coverage.ts): a rule of the same group (a warning), or a rule of a group applied
 * with it on every port that uses its group (info: detaching that group would revive it).
 * Of rules that cover each other only one is reported, so removing every reported rule at once
 * changes no verdict on any port: each reported rule has a coverer that is kept or is itself
 * covered further up a chain that cannot loop (property-tested). Leaving a rule unreported
 * (the default egress rules) only keeps more, so that stays true.
 */
import { toMatchRule, type MatchRule } from '../firewall/rule.js';
import type { Cloud } from '../topology/model.js';
import { ruleCovers } from './coverage.js';
import { ruleName, rulePath, type Finding } from './findings.js';
import { alwaysWith } from './usage.js';

export interface Redundancy {
  /** The redundant rule. */
  readonly rule: MatchRule;
  /** A rule that covers it (same group first, then groups in the order given). */
  readonly by: MatchRule;
  /** The two match exactly the same traffic. */
  readonly duplicate: boolean;
}

/**
 * The redundant rules of a set of groups (in order) used by ports with the given group lists.
 * A rule b is redundant by a rule a when a's group is in force wherever b's is, a covers b,
 * and — if b also covers a — b's claim to be kept is weaker: a's group is in force on more
 * ports, or on the same ports and a comes first (group order, then rule index).
 */
export function redundantRules(
  groups: ReadonlyMap<string, readonly MatchRule[]>,
  portGroups: readonly (readonly string[])[],
  reportable: (r: MatchRule) => boolean = () => true,
): Redundancy[] {
  const order = new Map([...groups.keys()].map((g, i) => [g, i]));
  const ports = new Map<string, { securityGroups: readonly string[] }[]>([...groups.keys()].map((g) => [g, []]));
  for (const pg of portGroups) for (const g of new Set(pg)) ports.get(g)?.push({ securityGroups: pg });
  const context = new Map([...groups.keys()].map((g) => [g, [g, ...[...alwaysWith(g, ports)].filter((h) => groups.has(h)).sort((x, y) => order.get(x)! - order.get(y)!)]]));
  const first = (a: MatchRule, b: MatchRule) => order.get(a.group)! - order.get(b.group)! || a.index - b.index;

  const out: Redundancy[] = [];
  for (const [g, rules] of groups) {
    for (const b of rules) {
      if (!reportable(b)) continue;
      let found: Redundancy | undefined;
      for (const h of context.get(g)!) {
        for (const a of groups.get(h)!) {
          if (a === b || !ruleCovers(a, b)) continue;
          const duplicate = ruleCovers(b, a);
          if (duplicate && context.get(h)!.includes(g) && first(a, b) > 0) continue;
          found = { rule: b, by: a, duplicate };
          break;
        }
        if (found) break;
      }
      if (found) out.push(found);
    }
  }
  return out;
}

export function findRedundantRules(cloud: Cloud): Finding[] {
  const groups = new Map([...cloud.securityGroups.values()].map((g) => [g.name, g.rules.map((r, i) => toMatchRule(g.name, r, i))]));
  const portGroups = [...cloud.ports.values()].filter((p) => p.portSecurity).map((p) => p.securityGroups);
  // A default egress rule is never reported: the file cannot remove it on its own (only
  // `default_egress: false` drops both), and every port in two groups would repeat it.
  const isFileRule = (r: MatchRule) => cloud.securityGroups.get(r.group)!.rules[r.index]!.origin === 'file';
  return redundantRules(groups, portGroups, isFileRule).map(({ rule, by, duplicate }) => {
    const group = cloud.securityGroups.get(rule.group)!;
    const r = group.rules[rule.index]!;
    const coverer = cloud.securityGroups.get(by.group)!.rules[by.index]!;
    const byName = `${coverer.origin === 'default' ? 'the default rule ' : ''}${ruleName(by.group, coverer)}`;
    const same = by.group === rule.group;
    const message = same
      ? `${ruleName(rule.group, r)} ${duplicate ? 'duplicates' : 'is covered by'} ${byName}: it allows nothing more; remove it`
      : `${ruleName(rule.group, r)} ${duplicate ? 'duplicates' : 'is covered by'} ${byName}, and every port in ${rule.group} is also in ${by.group}`;
    return { kind: 'redundant-rule', severity: same ? 'warning' : 'info', group: rule.group, rule: rule.index, path: rulePath(group, r), message };
  });
}

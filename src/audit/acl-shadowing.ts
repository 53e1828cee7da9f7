/**
 * Network-ACL rules that can never match. ACL rules are evaluated lowest number first and the
 * first match decides (AWS VPC network ACLs), so a rule is dead when a rule with a
 * lower number in the same direction matches everything it would: with the opposite action the
 * later rule's intent is silently overridden, with the same action it is merely redundant.
 * A rule covered only by several earlier rules together is not reported (coverage.ts).
 *
 * The resolved model keeps ACL rules sorted by number, not in file order, so findings carry
 * the rule number and a path to the direction's list; `placeAclFindings` adds the list index
 * when the parsed document is at hand.
 */
import type { Path } from '../topology/issue.js';
import type { Cloud } from '../topology/model.js';
import { aclRuleCovers } from './coverage.js';
import type { Finding } from './findings.js';

export function findUnreachableAclRules(cloud: Cloud): Finding[] {
  const out: Finding[] = [];
  for (const acl of cloud.networkAcls.values()) {
    for (const direction of ['ingress', 'egress'] as const) {
      const rules = acl[direction];
      rules.forEach((b, j) => {
        const a = rules.slice(0, j).find((r) => aclRuleCovers(r, b));
        if (!a) return;
        const why = a.action === b.action
          ? `${a.text} comes first and already ${a.action === 'allow' ? 'allows' : 'denies'} all of it (redundant)`
          : `${a.text} comes first and ${a.action === 'allow' ? 'allows' : 'denies'} all of it, so this ${b.action} never applies`;
        out.push({
          kind: 'acl-unreachable-rule', severity: 'warning', rule: b.number, path: ['network_acls', acl.name, direction],
          message: `network ACL ${acl.name} ${direction} rule ${b.text} can never match: ${why}`,
        });
      });
    }
  }
  return out;
}

/** ACL findings with the index of their rule in the file's list (found by rule number). */
export function placeAclFindings(findings: readonly Finding[], document: unknown): Finding[] {
  return findings.map((f) => {
    if (f.kind !== 'acl-unreachable-rule' || f.rule === undefined || f.path.length !== 3) return f;
    const list = valueAt(document, f.path);
    if (!Array.isArray(list)) return f;
    const i = list.findIndex((item: unknown) => typeof item === 'object' && item !== null && (item as { rule?: unknown }).rule === f.rule);
    return i < 0 ? f : { ...f, path: [...f.path, i] };
  });
}

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/**
 * Remote groups no port belongs to. A rule with `remote_group: X` matches the addresses of the
 * ports in X (DESIGN §4); when no port is in X it matches nothing, which is almost always a
 * mistake (the servers it meant were put in another group). The implicit `default` group's own
 * rules are left out: they only matter on ports that use it, and then it has members.
 */
import { groupMembers } from '../firewall/install.js';
import type { Cloud } from '../topology/model.js';
import { ruleName, rulePath, type Finding } from './findings.js';
import { portsByGroup } from './usage.js';

export function findEmptyRemoteGroups(cloud: Cloud): Finding[] {
  const byGroup = portsByGroup(cloud);
  const all = groupMembers(cloud);
  const members = (g: string) => { const m = all.get(g); return m !== undefined && (m.addresses.size > 0 || m.prefixes.length > 0); };
  const out: Finding[] = [];
  for (const g of cloud.securityGroups.values()) {
    if (g.implicit && (byGroup.get(g.name)?.length ?? 0) === 0) continue;
    for (const r of g.rules) {
      if (r.remoteGroup === null || members(r.remoteGroup)) continue;
      out.push({
        kind: 'empty-remote-group', severity: 'warning', group: g.name, rule: r.index, path: [...rulePath(g, r), ...(r.origin === 'file' ? ['remote_group'] : [])],
        message: `${ruleName(g.name, r)} matches nothing: no port is in group ${r.remoteGroup}`,
      });
    }
  }
  return out;
}

/**
 * Remote groups no port belongs to. A rule with `remote_group: X` matches the addresses of the
 * ports in X (Neutron's semantics); when no port is in X it matches nothing, which is almost always a
 * mistake (the servers it meant were put in another group). Likewise when the group's ports
 * have no address of the rule's family (an IPv6 rule naming a group of IPv4-only ports).
 * Only the file's rules are checked: the implicit `default` group's "from members of default"
 * rules come from Neutron, for both families, whatever the ports have.
 */
import { groupMembers } from '../firewall/install.js';
import type { IpValue } from '../packet/ip-value.js';
import type { Cloud } from '../topology/model.js';
import { ruleName, rulePath, type Finding } from './findings.js';

export function findEmptyRemoteGroups(cloud: Cloud): Finding[] {
  const all = groupMembers(cloud);
  /** Members of the rule's family: an IPv6 rule naming a group of IPv4-only ports matches nothing either. */
  const families = new Map<string, Set<4 | 6>>();
  const members = (g: string, version: 4 | 6) => {
    let f = families.get(g);
    if (!f) {
      const m = all.get(g);
      const of = (a: IpValue): 4 | 6 => (typeof a === 'number' ? 4 : 6);
      families.set(g, (f = new Set([...(m?.addresses ?? []), ...(m?.prefixes ?? []).map((p) => p.network)].map(of))));
    }
    return f.has(version);
  };
  const out: Finding[] = [];
  for (const g of cloud.securityGroups.values()) {
    for (const r of g.rules) {
      if (r.origin === 'default') continue;
      const version = r.ethertype === 'IPv4' ? 4 : 6;
      if (r.remoteGroup === null || members(r.remoteGroup, version)) continue;
      const why = all.has(r.remoteGroup) ? `no port in group ${r.remoteGroup} has an IPv${version} address` : `no port is in group ${r.remoteGroup}`;
      out.push({
        kind: 'empty-remote-group', severity: 'warning', group: g.name, rule: r.index, path: [...rulePath(g, r), 'remote_group'],
        message: `${ruleName(g.name, r)} matches nothing: ${why}`,
      });
    }
  }
  return out;
}

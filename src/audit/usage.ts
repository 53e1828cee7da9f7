/**
 * Which ports use which security group. A port with port security off has no groups (the
 * loader refuses groups on such a port, as Neutron does), so every port listed here is one the
 * groups actually filter: instance ports and load-balancer VIP ports with groups of their own.
 */
import type { Cloud, Port } from '../topology/model.js';

export function portsByGroup(cloud: Cloud): Map<string, Port[]> {
  const out = new Map<string, Port[]>();
  for (const g of cloud.securityGroups.keys()) out.set(g, []);
  for (const port of cloud.ports.values()) {
    if (!port.portSecurity) continue;
    for (const g of port.securityGroups) out.get(g)?.push(port);
  }
  return out;
}

/**
 * The groups applied together with `group` on every port that uses it (empty when no port
 * does): a rule of one of them is in force wherever `group`'s rules are.
 */
export function alwaysWith(group: string, byGroup: ReadonlyMap<string, readonly Pick<Port, 'securityGroups'>[]>): Set<string> {
  const ports = byGroup.get(group) ?? [];
  if (ports.length === 0) return new Set();
  let common = new Set(ports[0]!.securityGroups);
  for (const p of ports.slice(1)) common = new Set(p.securityGroups.filter((g) => common.has(g)));
  common.delete(group);
  return common;
}

/**
 * Rules that reach another project's private range only by accident of overlap. A rule's
 * remote_ip_prefix is read in the address space of the ports that use its group
 * (probe/address-space.ts): when it covers a subnet of another address space whose range is
 * also a subnet of the ports' own space, the addresses it admits are the own subnet's — the
 * other one reaches these ports only through floating IPs, whose translated addresses the rule
 * does not name. Either the rule meant the other project (and opens nothing to it) or it meant
 * its own subnet (and reads as if it opened the port to the other project). Info: it filters
 * correctly either way, but says something else than it does.
 */
import { cidrContains, type Cidr } from '../address/cidr.js';
import { addressSpaces } from '../probe/address-space.js';
import type { Cloud, Subnet } from '../topology/model.js';
import { ruleName, rulePath, type Finding } from './findings.js';

const overlap = (a: Cidr, b: Cidr): boolean =>
  a.version === b.version && (cidrContains(a, { version: a.version, value: b.network }) || cidrContains(b, { version: b.version, value: a.network }));

export function findOverlapAccidents(cloud: Cloud): Finding[] {
  const spaces = addressSpaces(cloud).ofSubnet;
  // The address spaces of the ports that use each group.
  const spacesOfGroup = new Map<string, Set<string>>();
  for (const p of cloud.ports.values()) {
    if (p.owner.kind !== 'instance') continue;
    for (const g of p.securityGroups) {
      const set = spacesOfGroup.get(g) ?? new Set<string>();
      for (const f of p.fixedIps) set.add(spaces.get(f.subnet)!);
      spacesOfGroup.set(g, set);
    }
  }
  const subnets = [...cloud.subnets.values()];
  const out: Finding[] = [];
  for (const g of cloud.securityGroups.values()) {
    const own = spacesOfGroup.get(g.name);
    if (!own || own.size === 0) continue;
    for (const r of g.rules) {
      const prefix = r.remoteIpPrefix?.cidr;
      if (r.origin === 'default' || !prefix || prefix.prefix === 0) continue;
      const mine = subnets.filter((s) => own.has(spaces.get(s.name)!) && overlap(s.cidr.cidr, prefix));
      const theirs: { other: Subnet; twin: Subnet }[] = [];
      for (const s of subnets) {
        if (own.has(spaces.get(s.name)!) || !overlap(s.cidr.cidr, prefix)) continue;
        const twin = mine.find((m) => overlap(m.cidr.cidr, s.cidr.cidr));
        if (twin) theirs.push({ other: s, twin });
      }
      if (theirs.length === 0) continue;
      const which = theirs.map(({ other, twin }) => `${other.name} (${other.cidr.text}, project ${other.project}) overlaps ${twin.name} (${twin.cidr.text}, project ${twin.project})`).join('; ');
      out.push({
        kind: 'overlap-remote-prefix', severity: 'info', group: g.name, rule: r.index, path: [...rulePath(g, r), 'remote_ip_prefix'],
        message: `${ruleName(g.name, r)} names ${prefix.version === 4 ? 'an IPv4' : 'an IPv6'} range another address space also uses: ${which}. In the address space of the group's ports it means ${theirs.map((t) => t.twin.name).filter((n, i, a) => a.indexOf(n) === i).join(', ')}; hosts on ${theirs.map((t) => t.other.name).join(', ')} reach these ports only through floating IPs, if at all, which the rule does not cover`,
      });
    }
  }
  return out;
}

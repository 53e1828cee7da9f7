/**
 * Groups defined in the file that no port uses: dead configuration, and a trap — attaching the
 * group later brings back whatever it allows. The implicit `default` group is not reported;
 * the file never asked for it.
 */
import type { Cloud } from '../topology/model.js';
import type { Finding } from './findings.js';
import { portsByGroup } from './usage.js';

export function findUnusedGroups(cloud: Cloud): Finding[] {
  const byGroup = portsByGroup(cloud);
  const remoteOf = (g: string) => [...cloud.securityGroups.values()].filter((h) => h.rules.some((r) => r.remoteGroup === g)).map((h) => h.name);
  const out: Finding[] = [];
  for (const g of cloud.securityGroups.values()) {
    if (g.implicit || (byGroup.get(g.name)?.length ?? 0) > 0) continue;
    const refs = remoteOf(g.name);
    out.push({
      kind: 'unused-group', severity: 'warning', group: g.name, path: ['security_groups', g.name],
      message: `group ${g.name} is used by no port${refs.length ? ` (rules of ${refs.join(', ')} name it as their remote group)` : ''}`,
    });
  }
  return out;
}

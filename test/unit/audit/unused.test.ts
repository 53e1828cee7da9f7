/** Groups the file defines that no port uses. */
import { describe, expect, it } from 'vitest';
import { findUnusedGroups } from '../../../src/audit/unused.js';
import { brief, groupsCloud } from './helpers.js';

describe('unused groups', () => {
  it('a group no port uses is reported, saying which groups name it as a remote', () => {
    const cloud = groupsCloud(`  web:
    rules: [{ direction: ingress, protocol: tcp, ports: 80, remote_group: old }]
  old: {}`, '  a: { ports: [{ subnet: lan-v4, security_groups: [web] }] }');
    const f = findUnusedGroups(cloud);
    expect(brief(f)).toEqual(['warning old# security_groups.old']);
    expect(f[0]!.message).toBe('group old is used by no port (rules of web name it as their remote group)');
  });

  it('no finding for groups on instance ports or on an LB VIP port, nor for the implicit default group', () => {
    const cloud = groupsCloud('  web: {}\n  lb: {}', '  a: { ports: [{ subnet: lan-v4, security_groups: [web] }] }', `load_balancers:
  front:
    subnet: lan-v4
    security_groups: [lb]
    listeners: [{ protocol: tcp, port: 80, pool: p }]
    pools: { p: { members: [a] } }`);
    expect(cloud.securityGroups.has('default')).toBe(true);
    expect(findUnusedGroups(cloud)).toEqual([]);
  });

  it('a port with port security off uses no group, so a group only it could have used is unused', () => {
    const cloud = groupsCloud('  web: {}', '  a: { ports: [{ subnet: lan-v4, port_security: false }] }');
    expect(brief(findUnusedGroups(cloud))).toEqual(['warning web# security_groups.web']);
  });
});

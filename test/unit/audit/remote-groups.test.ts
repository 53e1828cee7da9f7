/** Rules whose remote group has no members (of the rule's address family): they match nothing. */
import { describe, expect, it } from 'vitest';
import { findEmptyRemoteGroups } from '../../../src/audit/remote-groups.js';
import { brief, cloudOf, groupsCloud } from './helpers.js';

describe('empty remote groups', () => {
  it('a rule naming a group no port is in', () => {
    const cloud = groupsCloud(`  db:
    rules: [{ direction: ingress, protocol: tcp, ports: 5432, remote_group: app }]
  app: {}`, '  db-1: { ports: [{ subnet: lan-v4, security_groups: [db] }] }');
    const f = findEmptyRemoteGroups(cloud);
    expect(brief(f)).toEqual(['warning db#2 security_groups.db.rules.0.remote_group']);
    expect(f[0]!.message).toBe('db#2 (ingress tcp/5432 from group app) matches nothing: no port is in group app');
  });

  it('an IPv6 rule naming a group whose ports have only IPv4 addresses', () => {
    const cloud = groupsCloud(`  db:
    rules: [{ direction: ingress, protocol: tcp, ports: 5432, ethertype: IPv6, remote_group: app }]
  app: {}`, `  db-1: { ports: [{ subnet: lan-v4, security_groups: [db] }] }
  app-1: { ports: [{ subnet: lan-v4, security_groups: [app] }] }`);
    expect(findEmptyRemoteGroups(cloud).map((f) => f.message)).toEqual(['db#2 (ingress tcp/5432 from group app (IPv6)) matches nothing: no port in group app has an IPv6 address']);
  });

  it('no finding when the group has a member, also when the member is a load balancer VIP port', () => {
    const cloud = groupsCloud(`  db:
    rules:
      - { direction: ingress, protocol: tcp, ports: 5432, remote_group: app }
      - { direction: ingress, protocol: tcp, ports: 80, remote_group: lb }
  app: {}
  lb: {}`, `  db-1: { ports: [{ subnet: lan-v4, security_groups: [db] }] }
  app-1: { ports: [{ subnet: lan-v4, security_groups: [app] }] }`, `load_balancers:
  front:
    subnet: lan-v4
    security_groups: [lb]
    listeners: [{ protocol: tcp, port: 80, pool: p }]
    pools: { p: { members: [db-1] } }`);
    expect(findEmptyRemoteGroups(cloud)).toEqual([]);
  });

  it('the implicit default group\'s own rules are not reported, even with no IPv6 anywhere', () => {
    const cloud = cloudOf(`version: 1
networks: { lan: { subnets: { v4: { cidr: 10.0.0.0/24 } } } }
instances: { a: { ports: [v4] } }`);
    expect(findEmptyRemoteGroups(cloud)).toEqual([]);
  });
});

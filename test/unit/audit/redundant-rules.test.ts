/**
 * Redundant security-group rules: within a group (warning) a rule covered by another of the
 * same direction and ethertype; across groups (info) one covered by a rule of a group applied
 * with it on every port. Rule numbers are the model's (defaults first); paths are the file's.
 */
import { describe, expect, it } from 'vitest';
import { findRedundantRules } from '../../../src/audit/redundant-rules.js';
import { brief, groupsCloud } from './helpers.js';

const oneGroup = (rules: string, opts = '') => groupsCloud(`  web:
    ${opts}
    rules:
${rules}`, '  web-1: { ports: [{ subnet: lan-v4, security_groups: [web] }] }');

describe('redundant rules within a group', () => {
  it('an exact duplicate: the later one is reported, with the file index of its rule', () => {
    const cloud = oneGroup(`      - { direction: ingress, protocol: tcp, ports: 80 }
      - { direction: ingress, protocol: tcp, ports: 443 }
      - { direction: ingress, protocol: tcp, ports: 80 }`);
    const f = findRedundantRules(cloud);
    expect(brief(f)).toEqual(['warning web#4 security_groups.web.rules.2']);
    expect(f[0]!.message).toContain('duplicates web#2 (ingress tcp/80 from 0.0.0.0/0)');
  });

  it('a wider port range, protocol any, a containing prefix and 0.0.0.0/0 each cover a narrower rule', () => {
    const cloud = oneGroup(`      - { direction: ingress, protocol: tcp, ports: 8000-8100, remote_ip_prefix: 10.1.0.0/16 }
      - { direction: ingress, protocol: tcp, ports: 8080, remote_ip_prefix: 10.1.2.0/24 }
      - { direction: ingress, protocol: any, remote_ip_prefix: 192.0.2.0/24 }
      - { direction: ingress, protocol: udp, ports: 53, remote_ip_prefix: 192.0.2.7/32 }
      - { direction: ingress, protocol: icmp, remote_ip_prefix: 0.0.0.0/0 }
      - { direction: ingress, protocol: icmp, type: 8, code: 0, remote_ip_prefix: 198.51.100.0/24 }`);
    expect(brief(findRedundantRules(cloud))).toEqual([
      'warning web#3 security_groups.web.rules.1',
      'warning web#5 security_groups.web.rules.3',
      'warning web#7 security_groups.web.rules.5',
    ]);
  });

  it('a remote group covers the same remote group; rules are compared whatever their order in the file', () => {
    const cloud = groupsCloud(`  app:
    rules:
      - { direction: ingress, protocol: tcp, ports: 5432, remote_group: app }
      - { direction: ingress, protocol: tcp, remote_group: app }`, '  a: { ports: [{ subnet: lan-v4, security_groups: [app] }] }');
    const f = findRedundantRules(cloud);
    expect(brief(f)).toEqual(['warning app#2 security_groups.app.rules.0']);
    expect(f[0]!.message).toContain('is covered by app#3 (ingress tcp from group app)');
  });

  it('the default egress rules cover a file egress rule to anywhere; they are never reported themselves', () => {
    const cloud = oneGroup('      - { direction: egress, protocol: tcp, ports: 443 }\n      - { direction: egress, protocol: any }');
    const f = findRedundantRules(cloud);
    expect(brief(f)).toEqual(['warning web#2 security_groups.web.rules.0', 'warning web#3 security_groups.web.rules.1']);
    expect(f[0]!.message).toContain('the default rule web#0 (egress any to 0.0.0.0/0)');
  });

  it('with default_egress: false the model index is the file index', () => {
    const cloud = oneGroup('      - { direction: egress, protocol: any }\n      - { direction: egress, protocol: tcp, ports: 443 }', 'default_egress: false');
    expect(brief(findRedundantRules(cloud))).toEqual(['warning web#1 security_groups.web.rules.1']);
  });

  it('no finding when the rules differ in direction, ethertype, protocol, ICMP type, remote or only overlap', () => {
    const cloud = oneGroup(`      - { direction: ingress, protocol: tcp, ports: 443 }
      - { direction: egress, protocol: tcp, ports: 443, remote_ip_prefix: 10.0.0.0/8 }
      - { direction: ingress, protocol: tcp, ports: 443, remote_ip_prefix: ::/0 }
      - { direction: ingress, protocol: udp, ports: 443 }
      - { direction: ingress, protocol: tcp, ports: 8000-8080 }
      - { direction: ingress, protocol: tcp, ports: 8080-9000 }
      - { direction: ingress, protocol: icmp, type: 8 }
      - { direction: ingress, protocol: icmp, type: 0 }
      - { direction: ingress, protocol: tcp, ports: 22, remote_group: web }
      - { direction: ingress, protocol: tcp, ports: 22, remote_ip_prefix: 10.0.0.0/24 }`, 'default_egress: false');
    expect(findRedundantRules(cloud)).toEqual([]);
  });
});

describe('redundant rules across groups applied together', () => {
  const groups = `  web:
    rules:
      - { direction: ingress, protocol: tcp, ports: 80-443 }
  extra:
    default_egress: false
    rules:
      - { direction: ingress, protocol: tcp, ports: 443, remote_ip_prefix: 203.0.113.0/24 }
      - { direction: ingress, protocol: tcp, ports: 8443 }`;

  it('a rule of a group always used with a covering group is info', () => {
    const cloud = groupsCloud(groups, `  a: { ports: [{ subnet: lan-v4, security_groups: [web, extra] }] }
  b: { ports: [{ subnet: lan-v4, security_groups: [extra, web] }] }
  c: { ports: [{ subnet: lan-v4, security_groups: [web] }] }`);
    const f = findRedundantRules(cloud);
    expect(brief(f)).toEqual(['info extra#0 security_groups.extra.rules.0']);
    expect(f[0]!.message).toContain('every port in extra is also in web');
  });

  it('no finding when one port uses the group without the covering one', () => {
    const cloud = groupsCloud(groups, `  a: { ports: [{ subnet: lan-v4, security_groups: [web, extra] }] }
  b: { ports: [{ subnet: lan-v4, security_groups: [extra] }] }`);
    expect(findRedundantRules(cloud)).toEqual([]);
  });

  it('equal rules in two groups always used together: only the one in the later group is reported', () => {
    const cloud = groupsCloud(`  one:
    default_egress: false
    rules: [{ direction: ingress, protocol: tcp, ports: 22, remote_ip_prefix: 10.0.0.0/8 }]
  two:
    default_egress: false
    rules: [{ direction: ingress, protocol: tcp, ports: 22, remote_ip_prefix: 10.0.0.0/8 }]`, '  a: { ports: [{ subnet: lan-v4, security_groups: [two, one] }] }');
    expect(brief(findRedundantRules(cloud))).toEqual(['info two#0 security_groups.two.rules.0']);
  });

  it('a group used by no port is only compared with itself', () => {
    const cloud = groupsCloud(groups, '  a: { ports: [{ subnet: lan-v4, security_groups: [web] }] }');
    expect(findRedundantRules(cloud)).toEqual([]);
  });
});

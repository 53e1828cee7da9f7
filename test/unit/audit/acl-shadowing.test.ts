/**
 * Network-ACL rules that can never match: a rule with a higher number fully covered by a
 * lower-numbered rule of the same direction (first match wins, AWS VPC network ACLs).
 */
import { describe, expect, it } from 'vitest';
import { findUnreachableAclRules, placeAclFindings } from '../../../src/audit/acl-shadowing.js';
import { readSource } from '../../../src/topology/source.js';
import { cloudOf } from './helpers.js';

const aclYaml = (ingress: string, egress = '[]') => `version: 1
networks: { vpc: { subnets: { public: { cidr: 10.20.0.0/24 } } } }
network_acls:
  pub:
    subnets: [public]
    ingress:
${ingress}
    egress: ${egress}
`;

describe('network ACL rules that can never match', () => {
  it('a deny after an allow of the same traffic, and a narrower allow after a wider one', () => {
    const cloud = cloudOf(aclYaml(`      - { rule: 100, action: allow, protocol: tcp, ports: 1024-65535 }
      - { rule: 110, action: deny, protocol: tcp, ports: 8080, cidr: 192.0.2.0/24 }
      - { rule: 120, action: allow, protocol: tcp, ports: 22, cidr: 198.51.100.0/24 }
      - { rule: 130, action: allow, protocol: tcp, ports: 22, cidr: 198.51.100.7/32 }`));
    const f = findUnreachableAclRules(cloud);
    expect(f.map((x) => [x.severity, x.rule, x.path.join('.')])).toEqual([
      ['warning', 110, 'network_acls.pub.ingress'],
      ['warning', 130, 'network_acls.pub.ingress'],
    ]);
    expect(f[0]!.message).toBe('network ACL pub ingress rule #110 deny tcp/8080 from 192.0.2.0/24 can never match: #100 allow tcp/1024-65535 from 0.0.0.0/0 comes first and allows all of it, so this deny never applies');
    expect(f[1]!.message).toContain('already allows all of it (redundant)');
  });

  it('protocol any with no cidr covers everything IPv4 after it, in either direction, whatever the file order', () => {
    const yaml = aclYaml(`      - { rule: 200, action: allow, protocol: icmp, type: 8 }
      - { rule: 100, action: deny, protocol: any }`, `
      - { rule: 10, action: allow, protocol: udp, ports: 53 }
      - { rule: 20, action: allow, protocol: udp, ports: 53, cidr: 10.0.0.0/8 }`);
    const cloud = cloudOf(yaml);
    const f = findUnreachableAclRules(cloud);
    expect(f.map((x) => `${x.path.join('.')} #${x.rule}`)).toEqual(['network_acls.pub.ingress #200', 'network_acls.pub.egress #20']);
    // The file lists #200 first: with the document, the path gets the rule's index in the list.
    const read = readSource(yaml);
    if (!read.ok) throw new Error('unreadable');
    expect(placeAclFindings(f, read.source.value).map((x) => x.path.join('.'))).toEqual(['network_acls.pub.ingress.0', 'network_acls.pub.egress.1']);
  });

  it('no finding when the earlier rule is narrower, of another protocol, type or family, or covers only jointly', () => {
    const cloud = cloudOf(aclYaml(`      - { rule: 100, action: allow, protocol: tcp, ports: 22, cidr: 198.51.100.0/24 }
      - { rule: 110, action: deny, protocol: tcp, ports: 22 }
      - { rule: 120, action: allow, protocol: udp, ports: 1-1000 }
      - { rule: 130, action: allow, protocol: tcp, ports: 500-600 }
      - { rule: 140, action: allow, protocol: icmp, type: 8 }
      - { rule: 150, action: allow, protocol: icmp, type: 0 }
      - { rule: 160, action: allow, protocol: any, cidr: 10.0.0.0/8 }
      - { rule: 170, action: allow, protocol: any, cidr: "::/0" }
      - { rule: 180, action: allow, protocol: tcp, ports: 1-1000, cidr: 192.0.2.0/25 }
      - { rule: 190, action: allow, protocol: tcp, ports: 1-1000, cidr: 192.0.2.128/25 }
      - { rule: 200, action: deny, protocol: tcp, ports: 80, cidr: 192.0.2.0/24 }`));
    expect(findUnreachableAclRules(cloud)).toEqual([]);
  });
});

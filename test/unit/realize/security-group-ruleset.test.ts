// The security-group ruleset's remote groups: every member's addresses of the rule's family and
// its allowed address pairs (vnet's groupMembers, Neutron's expansion), with an element that
// another holds left out (an nftables set refuses overlapping intervals); and IPv6 rules.
import { describe, expect, it } from 'vitest';
import { groupAddresses, securityGroupRuleset } from '../../../src/realize/security-group-ruleset.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';

const TOPOLOGY = `
version: 1
name: pairs
networks:
  n:
    subnets:
      s4: { cidr: 10.0.0.0/24 }
      s6: { cidr: 2001:db8::/64, ipv6_address_mode: slaac }
security_groups:
  front:
    rules: []
  back:
    rules:
      - { direction: ingress, protocol: tcp, ports: 5432, remote_group: front }
      - { direction: ingress, protocol: tcp, ports: 5432, remote_group: front, ethertype: IPv6 }
      - { direction: ingress, protocol: icmpv6, type: 128 }
instances:
  vip-holder: { ports: [{ subnet: s4, security_groups: [front], allowed_address_pairs: [10.0.0.200, 10.0.0.64/28, "2001:db8::beef"] }] }
  inside-pair: { ports: [{ subnet: s4, ip: 10.0.0.70, security_groups: [front] }] }
  db: { ports: [{ subnet: s4, security_groups: [back] }] }
`;

const load = (): Cloud => {
  const r = parseTopology(TOPOLOGY, 'pairs.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.cloud;
};

describe('security-group ruleset', () => {
  const cloud = load();

  it('expands a remote group to fixed addresses and allowed address pairs, per family', () => {
    const v4 = groupAddresses(cloud, 'front', 4);
    expect(v4).toContain('10.0.0.200');
    expect(v4).toContain('10.0.0.64/28');
    // 10.0.0.70 is inside 10.0.0.64/28: the set holds the prefix only.
    expect(v4).not.toContain('10.0.0.70');
    expect(v4.filter((a) => !a.includes(':'))).toHaveLength(v4.length);
    const v6 = groupAddresses(cloud, 'front', 6);
    expect(v6).toContain('2001:db8::beef');
    expect(v6.every((a) => a.includes(':'))).toBe(true);
  });

  it('writes each rule for its family', () => {
    const db = cloud.instances.get('db')!;
    const text = securityGroupRuleset(cloud, db.ports.map((id) => ({ port: cloud.ports.get(id)!, ifname: 'eth0' })))!;
    expect(text).toMatch(/meta nfproto ipv4 ip saddr \{ [^}]*10\.0\.0\.64\/28[^}]* \} tcp dport 5432 accept comment "back#2"/);
    expect(text).toMatch(/meta nfproto ipv6 ip6 saddr \{ [^}]*2001:db8::beef[^}]* \} tcp dport 5432 accept comment "back#3"/);
    expect(text).toContain('iifname "eth0" meta nfproto ipv6 icmpv6 type 128 accept comment "back#4"');
    expect(text).toContain('icmpv6 type { mld-listener-query, nd-neighbor-solicit, nd-neighbor-advert } accept comment "neighbour discovery"');
  });
});

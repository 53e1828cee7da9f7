/**
 * Network ACLs in the engine: the router checks the ACL of the subnet a packet leaves (egress)
 * and of the subnet it enters (ingress); a deny drops the probe at stage `acl` naming the ACL,
 * the subnet, the direction and the rule (or the implicit * deny). Stateless: the reply of a
 * delivered connection needs its own rules. Security groups here allow everything, so every
 * verdict below is the ACL's.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/engine/simulator.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';
import { cloudFromFile, probeSpec } from './probes.js';

function cloudOf(acls: string): Cloud {
  const r = parseTopology(`version: 1
networks:
  left: { subnets: { a: { cidr: 10.0.1.0/24 }, a6: { cidr: "2001:db8:1::/64", ipv6_address_mode: dhcpv6-stateful } } }
  right: { subnets: { b: { cidr: 10.0.2.0/24 }, b6: { cidr: "2001:db8:2::/64", ipv6_address_mode: dhcpv6-stateful } } }
routers:
  r: { interfaces: [a, b, a6, b6] }
security_groups:
  open: { rules: [{ direction: ingress }, { direction: ingress, ethertype: IPv6 }] }
network_acls:
${acls}
instances:
  client: { ports: [{ fixed_ips: [a, a6], security_groups: [open] }] }
  server: { ports: [{ fixed_ips: [b, b6], security_groups: [open] }], services: [tcp/22, tcp/80] }
`, 'acl.yaml');
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
  return r.cloud;
}

/** b's ACL: ssh from a denied (#100), anything else in allowed (#200); out only the ephemeral ports. */
const B_ACL = `  b-acl:
    subnets: [b, b6]
    ingress:
      - { rule: 200, action: allow, cidr: 0.0.0.0/0 }
      - { rule: 100, action: deny, protocol: tcp, ports: 22, cidr: 10.0.1.0/24 }
      - { rule: 210, action: allow, protocol: tcp, ports: 80, cidr: "2001:db8:1::/64" }
    egress:
      - { rule: 100, action: allow, protocol: tcp, ports: 1024-65535, cidr: 10.0.1.0/24 }
`;

const probe = (cloud: Cloud, proto: 'tcp' | 'icmp', port?: number, to = 'server') =>
  new Simulator(cloud).probe(probeSpec(cloud, 'client', to, proto, port));

function aclEvents(v: ReturnType<typeof probe>) {
  return v.events.filter((e) => e.stage === 'acl').map((e) => `${e.direction} ${e.action} ${String((e.detail as { direction: string }).direction)} ${String((e.detail as { rule: string }).rule)}`);
}

describe('network ACL at the router', () => {
  it('drops a probe at stage acl, naming the ACL, the subnet, the direction and the rule that denied it', () => {
    const v = probe(cloudOf(B_ACL), 'tcp', 22);
    expect(v.verdict).toBe('dropped');
    expect(v.reply).toBe(false);
    expect(v.drop).toMatchObject({ node: 'router:r', stage: 'acl' });
    expect(v.drop!.reason).toBe('network ACL b-acl of subnet b (ingress): rule #100 deny tcp/22 from 10.0.1.0/24');
    expect(v.path).not.toContain('instance:server');
    expect(aclEvents(v)).toEqual(['forward deny ingress #100 deny tcp/22 from 10.0.1.0/24']);
  });

  it('lets through what a later rule allows, and the reply through egress rule #100 (stateless: its own rule)', () => {
    const v = probe(cloudOf(B_ACL), 'tcp', 80);
    expect([v.verdict, v.reply]).toEqual(['delivered', true]);
    expect(aclEvents(v)).toEqual([
      'forward allow ingress #200 allow any from 0.0.0.0/0',
      'reply allow egress #100 allow tcp/1024-65535 to 10.0.1.0/24',
    ]);
  });

  it('without an egress rule for the reply, the request is delivered but the reply dies at the implicit deny', () => {
    const cloud = cloudOf(`  b-acl:
    subnets: [b]
    ingress:
      - { rule: 100, action: allow, protocol: tcp, ports: 80 }
`);
    const v = probe(cloud, 'tcp', 80);
    expect([v.verdict, v.reply]).toEqual(['delivered', false]);
    expect(aclEvents(v)).toEqual(['forward allow ingress #100 allow tcp/80 from 0.0.0.0/0', 'reply deny egress * deny (no rule matched)']);
  });

  it('what no rule matches meets the implicit deny; the source subnet\'s egress rules apply on the way out', () => {
    const cloud = cloudOf(`  a-acl:
    subnets: [a]
    egress:
      - { rule: 100, action: allow, protocol: tcp, ports: 80 }
`);
    const ping = probe(cloud, 'icmp');
    expect(ping.verdict).toBe('dropped');
    expect(ping.drop).toMatchObject({ node: 'router:r', stage: 'acl' });
    expect(ping.drop!.reason).toBe('network ACL a-acl of subnet a (egress): no rule matches, the implicit * deny applies');
    const web = probe(cloud, 'tcp', 80);
    // The reply enters a, whose ACL has no ingress rules: the implicit deny again.
    expect([web.verdict, web.reply]).toEqual(['delivered', false]);
  });

  it('judges IPv6 by IPv6 rules only: #100 and #200 (IPv4) do not match, #210 lets http in, ssh falls to *', () => {
    const cloud = cloudOf(B_ACL);
    const server6 = cloud.ports.get('server/eth0')!.fixedIps.find((f) => f.subnet === 'b6')!.address.text;
    const http = probe(cloud, 'tcp', 80, server6);
    expect(http.verdict).toBe('delivered');
    expect(aclEvents(http)[0]).toBe('forward allow ingress #210 allow tcp/80 from 2001:db8:1::/64');
    const ssh = probe(cloud, 'tcp', 22, server6);
    expect(ssh.verdict).toBe('dropped');
    expect(ssh.drop!.reason).toBe('network ACL b-acl of subnet b6 (ingress): no rule matches, the implicit * deny applies');
  });
});

describe('network ACL in topologies/aws-vpc.yaml', () => {
  const cloud = cloudFromFile('topologies/aws-vpc.yaml');
  const run = (from: string, to: string, port: number) => new Simulator(cloud).probe(probeSpec(cloud, from, to, 'tcp', port));

  it('the scanner in 192.0.2.0/24 is dropped by public-acl #90 before the ssh allow #100', () => {
    const v = run('scanner', 'bastion-eip', 22);
    expect(v.verdict).toBe('dropped');
    expect(v.drop).toMatchObject({ node: 'router:igw', stage: 'acl' });
    expect(v.drop!.reason).toContain('rule #90 deny any from 192.0.2.0/24');
  });

  it('the admin reaches the bastion over ssh, both ways through the stateless ACLs', () => {
    const v = run('admin', 'bastion-eip', 22);
    expect([v.verdict, v.reply]).toEqual(['delivered', true]);
  });
});

/**
 * `protocol: icmp` on an IPv6 rule: Neutron takes it as the legacy name of ICMPv6 (it stores
 * ipv6-icmp), so vnet does too, and says so in a warning that points at the rule. The other way
 * round (icmpv6 on an IPv4 rule) stays an error, as in Neutron.
 */
import { describe, expect, it } from 'vitest';
import { formatPath } from '../../../src/topology/issue.js';
import { parseTopology } from '../../../src/topology/load.js';
import { Simulator } from '../../../src/engine/simulator.js';
import { probeSpec } from '../engine/probes.js';

const topology = (rule: string) => `version: 1
name: icmp-names
networks:
  n:
    subnets:
      v6: { cidr: 2001:db8:1::/64 }
security_groups:
  g:
    rules:
      - ${rule}
instances:
  a: { ports: [{ subnet: v6, security_groups: [g] }] }
  b: { ports: [{ subnet: v6, security_groups: [g] }] }
`;

describe('icmp on an IPv6 rule', () => {
  it('is icmpv6, with a warning at the rule', () => {
    for (const rule of ['{ direction: ingress, protocol: icmp, ethertype: IPv6 }', '{ direction: ingress, protocol: icmp, type: 128, remote_ip_prefix: "2001:db8::/32" }']) {
      const r = parseTopology(topology(rule), 'icmp.yaml');
      if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('; '));
      const g = r.cloud.securityGroups.get('g')!;
      const fileRule = g.rules.find((x) => x.origin === 'file')!;
      expect(fileRule.protocol).toBe('icmpv6');
      expect(fileRule.ethertype).toBe('IPv6');
      expect(r.warnings.map((w) => [w.code, formatPath(w.path), w.line])).toEqual([['icmp-as-icmpv6', 'security_groups.g.rules[0].protocol', 10]]);
      // And it lets an IPv6 ping in.
      expect(new Simulator(r.cloud).probe(probeSpec(r.cloud, 'a', 'b', 'icmp')).verdict).toBe('delivered');
    }
  });

  it('keeps icmpv6 on an IPv4 rule an error', () => {
    const r = parseTopology(topology('{ direction: ingress, protocol: icmpv6, ethertype: IPv4 }'), 'icmp.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.code, formatPath(i.path), i.message])).toEqual([['protocol', 'security_groups.g.rules[0].protocol', 'icmpv6 with IPv4: use protocol icmp']]);
  });
});

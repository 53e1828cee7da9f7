/**
 * Network ACL evaluation (DESIGN §4, AWS semantics): rules in rule-number order whatever the
 * file's order, the first match decides, a deny stops a later allow, nothing matched is the
 * implicit deny; ingress matches the source, egress the destination; stateless, so a reply is
 * judged like any packet; IPv6 only by IPv6 rules. The ACLs are loaded from YAML, so the file's
 * rule sorting is tested together with the evaluator.
 */
import { describe, expect, it } from 'vitest';
import { parseIp } from '../../../src/address/ip.js';
import { AclEvaluator, type AclDecision } from '../../../src/firewall/network-acl.js';
import { PROTO, type PacketFields } from '../../../src/firewall/packet-fields.js';
import { parseTopology } from '../../../src/topology/load.js';
import { toIpValue } from '../../../src/packet/ip-value.js';

function aclOf(rules: string): AclEvaluator {
  const r = parseTopology(`version: 1
networks:
  n:
    subnets:
      s: { cidr: 10.0.0.0/24 }
      s6: { cidr: "2001:db8::/64" }
network_acls:
  acl:
    subnets: [s, s6]
${rules}`, 'acl.yaml');
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
  return new AclEvaluator(r.cloud.networkAcls.get('acl')!);
}

const addr = (text: string) => {
  const ip = parseIp(text);
  if (!ip) throw new Error(`bad address ${text}`);
  return toIpValue(ip);
};

function tcp(src: string, dst: string, dport: number, sport = 40000): PacketFields {
  return { version: src.includes(':') ? 6 : 4, proto: PROTO.tcp, src: addr(src), dst: addr(dst), dport, sport, icmpType: -1, icmpCode: -1 };
}

function icmp(src: string, dst: string, type: number): PacketFields {
  const v6 = src.includes(':');
  return { version: v6 ? 6 : 4, proto: v6 ? PROTO.icmpv6 : PROTO.icmp, src: addr(src), dst: addr(dst), dport: -1, sport: -1, icmpType: type, icmpCode: 0 };
}

/** The decision as `allow #110` / `deny #100` / `deny *` (the implicit deny). */
const said = (d: AclDecision): string => `${d.action} ${d.rule ? `#${d.rule.number}` : '*'}`;

describe('network ACL: order and defaults', () => {
  it('evaluates by rule number, not by the order of the file: the lowest matching rule decides', () => {
    const acl = aclOf(`    ingress:
      - { rule: 200, action: allow, protocol: tcp, ports: 22 }
      - { rule: 100, action: deny, protocol: tcp, ports: 22 }
`);
    expect(said(acl.evaluate(tcp('192.0.2.1', '10.0.0.5', 22), 'ingress'))).toBe('deny #100');
  });

  it('a deny stops a later allow that also matches; what the deny does not match goes on to the allow', () => {
    const acl = aclOf(`    ingress:
      - { rule: 90, action: deny, cidr: 192.0.2.0/24 }
      - { rule: 100, action: allow, protocol: tcp, ports: 22 }
`);
    expect(said(acl.evaluate(tcp('192.0.2.66', '10.0.0.5', 22), 'ingress'))).toBe('deny #90');
    expect(said(acl.evaluate(tcp('198.51.100.7', '10.0.0.5', 22), 'ingress'))).toBe('allow #100');
  });

  it('an allow before a deny wins for what it matches', () => {
    const acl = aclOf(`    ingress:
      - { rule: 100, action: allow, protocol: tcp, ports: 443, cidr: 192.0.2.0/24 }
      - { rule: 110, action: deny, cidr: 192.0.2.0/24 }
`);
    expect(said(acl.evaluate(tcp('192.0.2.66', '10.0.0.5', 443), 'ingress'))).toBe('allow #100');
    expect(said(acl.evaluate(tcp('192.0.2.66', '10.0.0.5', 80), 'ingress'))).toBe('deny #110');
  });

  it('denies what no rule matches (the * rule), and everything when a direction has no rules', () => {
    const acl = aclOf(`    ingress:
      - { rule: 100, action: allow, protocol: tcp, ports: 80 }
`);
    expect(said(acl.evaluate(tcp('192.0.2.1', '10.0.0.5', 81), 'ingress'))).toBe('deny *');
    expect(said(acl.evaluate(icmp('192.0.2.1', '10.0.0.5', 8), 'ingress'))).toBe('deny *');
    expect(said(acl.evaluate(tcp('10.0.0.5', '192.0.2.1', 80), 'egress'))).toBe('deny *');
  });

  it('matches protocol, port range and ICMP type', () => {
    const acl = aclOf(`    ingress:
      - { rule: 100, action: allow, protocol: udp, ports: 53 }
      - { rule: 110, action: allow, protocol: tcp, ports: 8000-8080 }
      - { rule: 120, action: allow, protocol: icmp, type: 8 }
`);
    const udp53: PacketFields = { ...tcp('192.0.2.1', '10.0.0.5', 53), proto: PROTO.udp };
    expect(said(acl.evaluate(udp53, 'ingress'))).toBe('allow #100');
    expect(said(acl.evaluate(tcp('192.0.2.1', '10.0.0.5', 53), 'ingress'))).toBe('deny *');
    expect([7999, 8000, 8080, 8081].map((p) => said(acl.evaluate(tcp('192.0.2.1', '10.0.0.5', p), 'ingress'))))
      .toEqual(['deny *', 'allow #110', 'allow #110', 'deny *']);
    expect(said(acl.evaluate(icmp('192.0.2.1', '10.0.0.5', 8), 'ingress'))).toBe('allow #120');
    expect(said(acl.evaluate(icmp('192.0.2.1', '10.0.0.5', 0), 'ingress'))).toBe('deny *');
  });

  it('matches an ICMP code only with its type, and a protocol given by number (47, GRE) as that protocol', () => {
    const acl = aclOf(`    ingress:
      - { rule: 100, action: allow, protocol: icmp, type: 3, code: 4 }
      - { rule: 110, action: deny, protocol: icmp, type: 3 }
      - { rule: 120, action: allow, protocol: 47 }
`);
    // Fragmentation needed (3/4) is let in; other unreachables (3/1) fall to the type-only deny.
    const unreachable = (code: number): PacketFields => ({ ...icmp('192.0.2.1', '10.0.0.5', 3), icmpCode: code });
    expect(said(acl.evaluate(unreachable(4), 'ingress'))).toBe('allow #100');
    expect(said(acl.evaluate(unreachable(1), 'ingress'))).toBe('deny #110');
    const gre: PacketFields = { ...tcp('192.0.2.1', '10.0.0.5', -1), proto: 47, sport: -1 };
    expect(said(acl.evaluate(gre, 'ingress'))).toBe('allow #120');
    expect(said(acl.evaluate(tcp('192.0.2.1', '10.0.0.5', 80), 'ingress'))).toBe('deny *');
  });
});

describe('network ACL: directions and statelessness', () => {
  const acl = aclOf(`    ingress:
      - { rule: 100, action: allow, protocol: tcp, ports: 22, cidr: 198.51.100.0/24 }
    egress:
      - { rule: 100, action: allow, protocol: tcp, ports: 443, cidr: 198.51.100.0/24 }
`);

  it('ingress matches the source against the rule cidr, egress the destination', () => {
    expect(said(acl.evaluate(tcp('198.51.100.7', '10.0.0.5', 22), 'ingress'))).toBe('allow #100');
    // The same packet's destination is not what ingress looks at.
    expect(said(acl.evaluate(tcp('10.0.0.5', '198.51.100.7', 22), 'ingress'))).toBe('deny *');
    expect(said(acl.evaluate(tcp('10.0.0.5', '198.51.100.7', 443), 'egress'))).toBe('allow #100');
    expect(said(acl.evaluate(tcp('198.51.100.7', '10.0.0.5', 443), 'egress'))).toBe('deny *');
  });

  it('keeps no state: the reply of an allowed ssh connection is denied until a rule allows the ephemeral ports', () => {
    const request = tcp('198.51.100.7', '10.0.0.5', 22, 40000);
    const reply = tcp('10.0.0.5', '198.51.100.7', 40000, 22);
    expect(said(acl.evaluate(request, 'ingress'))).toBe('allow #100');
    expect(said(acl.evaluate(reply, 'egress'))).toBe('deny *');
    // Asked again after the request was allowed: still no memory of it.
    expect(said(acl.evaluate(request, 'ingress'))).toBe('allow #100');
    expect(said(acl.evaluate(reply, 'egress'))).toBe('deny *');
    const withEphemeral = aclOf(`    egress:
      - { rule: 120, action: allow, protocol: tcp, ports: 1024-65535 }
`);
    expect(said(withEphemeral.evaluate(reply, 'egress'))).toBe('allow #120');
  });
});

describe('network ACL: IPv6', () => {
  it('an IPv6 packet matches only IPv6 rules; a rule without cidr is 0.0.0.0/0, IPv4 only', () => {
    const acl = aclOf(`    ingress:
      - { rule: 100, action: allow, protocol: tcp, ports: 22 }
      - { rule: 110, action: deny, protocol: tcp, ports: 80, cidr: "2001:db8:bad::/48" }
      - { rule: 120, action: allow, protocol: tcp, cidr: "::/0" }
      - { rule: 130, action: allow, protocol: icmpv6, type: 128, cidr: "::/0" }
`);
    // #100 (IPv4 any) does not match, so IPv6 ssh falls through to #120.
    expect(said(acl.evaluate(tcp('2001:db8:1::7', '2001:db8::5', 22), 'ingress'))).toBe('allow #120');
    expect(said(acl.evaluate(tcp('2001:db8:bad::7', '2001:db8::5', 80), 'ingress'))).toBe('deny #110');
    expect(said(acl.evaluate(tcp('2001:db8:1::7', '2001:db8::5', 80), 'ingress'))).toBe('allow #120');
    expect(said(acl.evaluate(icmp('2001:db8:1::7', '2001:db8::5', 128), 'ingress'))).toBe('allow #130');
    expect(said(acl.evaluate(icmp('2001:db8:1::7', '2001:db8::5', 129), 'ingress'))).toBe('deny *');
    // And an IPv4 packet never matches an IPv6 rule.
    expect(said(acl.evaluate(tcp('192.0.2.1', '10.0.0.5', 80), 'ingress'))).toBe('deny *');
  });
});

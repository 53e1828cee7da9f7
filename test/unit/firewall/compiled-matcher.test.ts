/**
 * Targeted cases for the security-group matchers, run as one conformance suite against both the
 * compiled matcher and the linear reference (as hono runs one router suite against every router):
 * port range boundaries, overlapping ranges (the first rule in union order is named), ICMP type
 * only vs type and code, protocol numbers other than tcp/udp/icmp, /0 and /1 prefixes, host
 * prefixes, IPv6, remote groups with fixed IPs and allowed address pairs. Rules are written as a
 * topology file writes them and resolved by the loader, so Neutron's normalisations apply
 * (1-65535 = any port, protocol 6 = tcp, /0 = any). Semantics: DESIGN §4, Neutron's rule model.
 */
import { describe, expect, it } from 'vitest';
import { parseIp } from '../../../src/address/ip.js';
import { CompiledMatcher } from '../../../src/firewall/compiled-matcher.js';
import { groupMembers, portRules } from '../../../src/firewall/install.js';
import { LinearMatcher } from '../../../src/firewall/linear-matcher.js';
import type { Matcher } from '../../../src/firewall/matcher.js';
import { PROTO, type PacketFields } from '../../../src/firewall/packet-fields.js';
import { toMatchRule, type GroupMembers, type MatchRule } from '../../../src/firewall/rule.js';
import { toIpValue } from '../../../src/packet/ip-value.js';
import { formatIssue } from '../../../src/topology/issue.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { SecurityGroupRule } from '../../../src/topology/model.js';

type Direction = 'ingress' | 'egress';
type RuleDoc = Record<string, unknown>;

const ipv = (t: string) => toIpValue(parseIp(t)!);
const v = (t: string): 4 | 6 => (t.includes(':') ? 6 : 4);
const fields = (proto: number, src: string, dst: string, more: Partial<PacketFields> = {}): PacketFields =>
  ({ version: v(src), proto, src: ipv(src), dst: ipv(dst), dport: -1, sport: -1, icmpType: -1, icmpCode: -1, ...more });
const tcp = (src: string, dst: string, dport: number) => fields(PROTO.tcp, src, dst, { dport, sport: 40001 });
const udp = (src: string, dst: string, dport: number) => fields(PROTO.udp, src, dst, { dport, sport: 40001 });
const icmp = (src: string, dst: string, type: number, code = 0) => fields(v(src) === 4 ? PROTO.icmp : PROTO.icmpv6, src, dst, { icmpType: type, icmpCode: code });
const proto = (n: number, src: string, dst: string) => fields(n, src, dst);

const ME = '10.0.0.10';
const ME6 = '2001:db8::10';

/**
 * Group `g` (no default egress rules, so rule i has index i) with the case's rules; group `peers`
 * has p1 (10.0.0.11, 2001:db8::11, pairs 10.0.5.0/24 and 10.0.0.200) and p2 (10.0.0.12); group
 * `lonely` has no ports.
 */
function load(rules: readonly RuleDoc[]): { rules: MatchRule[]; members: GroupMembers } {
  const text = `version: 1
networks:
  lan:
    subnets:
      v4: { cidr: 10.0.0.0/24 }
      v6: { cidr: "2001:db8::/64", ipv6_address_mode: dhcpv6-stateful }
  far:
    subnets:
      far-v4: { cidr: 10.0.5.0/24 }
security_groups:
  g:
    default_egress: false
    rules:${rules.length ? '' : ' []'}
${rules.map((r) => `      - ${JSON.stringify(r)}\n`).join('')}  peers: { rules: [] }
  lonely: { rules: [] }
instances:
  me: { ports: [{ fixed_ips: [{ subnet: v4, ip: ${ME} }, { subnet: v6, ip: "${ME6}" }], security_groups: [g] }] }
  p1:
    ports:
      - fixed_ips: [{ subnet: v4, ip: 10.0.0.11 }, { subnet: v6, ip: "2001:db8::11" }]
        security_groups: [peers]
        allowed_address_pairs: [10.0.5.0/24, 10.0.0.200]
  p2: { ports: [{ subnet: v4, ip: 10.0.0.12, security_groups: [peers] }] }
`;
  const r = parseTopology(text);
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return { rules: portRules(r.cloud, ['g']), members: groupMembers(r.cloud) };
}

interface Case {
  readonly name: string;
  readonly rules: readonly RuleDoc[];
  /** Direction, packet, and the index of the rule that must be named (null: dropped). */
  readonly traffic: readonly (readonly [Direction, PacketFields, number | null])[];
}

const IN = 'ingress' as const;
const OUT = 'egress' as const;

const CASES: Case[] = [
  // ---- TCP/UDP port ranges
  {
    name: 'a port range includes both bounds and nothing beside them',
    rules: [{ direction: 'ingress', protocol: 'tcp', ports: '1000-2000' }],
    traffic: [[IN, tcp('1.2.3.4', ME, 999), null], [IN, tcp('1.2.3.4', ME, 1000), 0], [IN, tcp('1.2.3.4', ME, 1500), 0], [IN, tcp('1.2.3.4', ME, 2000), 0], [IN, tcp('1.2.3.4', ME, 2001), null]],
  },
  {
    name: 'single ports at the ends of the port space: 1 and 65535',
    rules: [{ direction: 'ingress', protocol: 'udp', ports: 1 }, { direction: 'ingress', protocol: 'udp', ports: 65535 }],
    traffic: [[IN, udp('1.2.3.4', ME, 1), 0], [IN, udp('1.2.3.4', ME, 2), null], [IN, udp('1.2.3.4', ME, 65534), null], [IN, udp('1.2.3.4', ME, 65535), 1]],
  },
  {
    name: 'a single port: 79 and 81 stay closed',
    rules: [{ direction: 'ingress', protocol: 'tcp', ports: 80 }],
    traffic: [[IN, tcp('1.2.3.4', ME, 79), null], [IN, tcp('1.2.3.4', ME, 80), 0], [IN, tcp('1.2.3.4', ME, 81), null]],
  },
  {
    name: 'ports belong to their protocol: a tcp rule does not open udp, nor a udp rule tcp',
    rules: [{ direction: 'ingress', protocol: 'tcp', ports: 53 }, { direction: 'ingress', protocol: 'udp', ports: 80 }],
    traffic: [[IN, udp('1.2.3.4', ME, 53), null], [IN, tcp('1.2.3.4', ME, 53), 0], [IN, tcp('1.2.3.4', ME, 80), null], [IN, udp('1.2.3.4', ME, 80), 1]],
  },
  {
    name: 'no ports, and 1-65535 (Neutron: the same thing), allow every port',
    rules: [{ direction: 'ingress', protocol: 'tcp' }, { direction: 'ingress', protocol: 'udp', ports: '1-65535' }],
    traffic: [[IN, tcp('1.2.3.4', ME, 1), 0], [IN, tcp('1.2.3.4', ME, 65535), 0], [IN, udp('1.2.3.4', ME, 1), 1], [IN, udp('1.2.3.4', ME, 65535), 1], [IN, udp('1.2.3.4', ME, 31337), 1]],
  },
  {
    name: 'protocol given as its number (6, 17) is the named protocol, ports included',
    rules: [{ direction: 'ingress', protocol: 6, ports: 22 }, { direction: 'ingress', protocol: 17, ports: '53-54' }],
    traffic: [[IN, tcp('1.2.3.4', ME, 22), 0], [IN, tcp('1.2.3.4', ME, 23), null], [IN, udp('1.2.3.4', ME, 54), 1], [IN, udp('1.2.3.4', ME, 55), null]],
  },
  // ---- Overlaps: the verdict is the union, the name is the first rule in order
  {
    name: 'overlapping ranges: the first rule in order that contains the port is named',
    rules: [
      { direction: 'ingress', protocol: 'tcp', ports: '1000-2000' },
      { direction: 'ingress', protocol: 'tcp', ports: '1500-2500' },
      { direction: 'ingress', protocol: 'tcp', ports: 1800 },
      { direction: 'ingress', protocol: 'tcp', ports: '2500-3000' },
    ],
    traffic: [[IN, tcp('1.2.3.4', ME, 1499), 0], [IN, tcp('1.2.3.4', ME, 1800), 0], [IN, tcp('1.2.3.4', ME, 2000), 0], [IN, tcp('1.2.3.4', ME, 2001), 1], [IN, tcp('1.2.3.4', ME, 2500), 1], [IN, tcp('1.2.3.4', ME, 2501), 3], [IN, tcp('1.2.3.4', ME, 3001), null], [IN, tcp('1.2.3.4', ME, 999), null]],
  },
  {
    name: 'a narrow range before a wider one, and a wider one before a narrow one',
    rules: [{ direction: 'ingress', protocol: 'udp', ports: 5000 }, { direction: 'ingress', protocol: 'udp', ports: '4000-6000' }, { direction: 'ingress', protocol: 'udp', ports: 4000 }],
    traffic: [[IN, udp('1.2.3.4', ME, 5000), 0], [IN, udp('1.2.3.4', ME, 4000), 1], [IN, udp('1.2.3.4', ME, 4999), 1], [IN, udp('1.2.3.4', ME, 5001), 1]],
  },
  {
    name: 'an all-ports rule after ranges is named only where no range is',
    rules: [{ direction: 'ingress', protocol: 'tcp', ports: '20-30' }, { direction: 'ingress', protocol: 'tcp' }, { direction: 'ingress', protocol: 'tcp', ports: 22 }],
    traffic: [[IN, tcp('1.2.3.4', ME, 22), 0], [IN, tcp('1.2.3.4', ME, 31), 1], [IN, tcp('1.2.3.4', ME, 19), 1]],
  },
  {
    name: 'any protocol vs a specific one: whichever comes first is named',
    rules: [{ direction: 'ingress', protocol: 'udp', ports: 53 }, { direction: 'ingress', remote_ip_prefix: '10.0.0.0/8' }, { direction: 'ingress', protocol: 'tcp', ports: 22 }],
    traffic: [[IN, udp('10.1.1.1', ME, 53), 0], [IN, tcp('10.1.1.1', ME, 22), 1], [IN, tcp('192.0.2.1', ME, 22), 2], [IN, icmp('10.1.1.1', ME, 8), 1], [IN, icmp('192.0.2.1', ME, 8), null]],
  },
  {
    name: 'the same traffic from a prefix and from a host inside it: the first is named',
    rules: [{ direction: 'ingress', protocol: 'tcp', ports: 22, remote_ip_prefix: '10.0.0.0/24' }, { direction: 'ingress', protocol: 'tcp', ports: 22 }, { direction: 'ingress', protocol: 'tcp', ports: 22, remote_ip_prefix: '10.0.0.5/32' }],
    traffic: [[IN, tcp('10.0.0.5', ME, 22), 0], [IN, tcp('192.168.1.1', ME, 22), 1]],
  },
  {
    name: 'a host prefix before its network: the host rule is named for the host only',
    rules: [{ direction: 'ingress', protocol: 'tcp', ports: 22, remote_ip_prefix: '10.0.0.5/32' }, { direction: 'ingress', protocol: 'tcp', ports: 22, remote_ip_prefix: '10.0.0.0/24' }],
    traffic: [[IN, tcp('10.0.0.5', ME, 22), 0], [IN, tcp('10.0.0.6', ME, 22), 1], [IN, tcp('10.0.1.5', ME, 22), null]],
  },
  {
    name: 'the same rule twice (host prefix, network prefix, group): the first copy is named',
    rules: [
      { direction: 'ingress', protocol: 'tcp', ports: 443, remote_ip_prefix: '10.0.0.7/32' }, { direction: 'ingress', protocol: 'tcp', ports: 443, remote_ip_prefix: '10.0.0.7/32' },
      { direction: 'ingress', protocol: 'udp', remote_ip_prefix: '10.0.0.0/24' }, { direction: 'ingress', protocol: 'udp', remote_ip_prefix: '10.0.0.0/24' },
      { direction: 'ingress', protocol: 'icmp', remote_group: 'peers' }, { direction: 'ingress', protocol: 'icmp', remote_group: 'peers' },
    ],
    traffic: [[IN, tcp('10.0.0.7', ME, 443), 0], [IN, udp('10.0.0.7', ME, 53), 2], [IN, icmp('10.0.0.11', ME, 8), 4], [IN, icmp('10.0.5.9', ME, 8), 4]],
  },
  // ---- ICMP
  {
    name: 'ICMP type only matches every code of that type; type and code match that code only',
    rules: [{ direction: 'ingress', protocol: 'icmp', type: 8 }, { direction: 'ingress', protocol: 'icmp', type: 3, code: 4 }],
    traffic: [[IN, icmp('1.2.3.4', ME, 8, 0), 0], [IN, icmp('1.2.3.4', ME, 8, 1), 0], [IN, icmp('1.2.3.4', ME, 0), null], [IN, icmp('1.2.3.4', ME, 3, 4), 1], [IN, icmp('1.2.3.4', ME, 3, 3), null], [IN, icmp('1.2.3.4', ME, 4, 4), null]],
  },
  {
    name: 'ICMP from specific to general: type+code, then type, then any ICMP',
    rules: [{ direction: 'ingress', protocol: 'icmp', type: 3, code: 4 }, { direction: 'ingress', protocol: 'icmp', type: 3 }, { direction: 'ingress', protocol: 'icmp' }],
    traffic: [[IN, icmp('1.2.3.4', ME, 3, 4), 0], [IN, icmp('1.2.3.4', ME, 3, 1), 1], [IN, icmp('1.2.3.4', ME, 11, 0), 2], [IN, icmp('1.2.3.4', ME, 255, 255), 2]],
  },
  {
    name: 'ICMP from general to specific: any ICMP is named for everything',
    rules: [{ direction: 'ingress', protocol: 'icmp' }, { direction: 'ingress', protocol: 'icmp', type: 3 }, { direction: 'ingress', protocol: 'icmp', type: 3, code: 4 }],
    traffic: [[IN, icmp('1.2.3.4', ME, 3, 4), 0], [IN, icmp('1.2.3.4', ME, 3, 1), 0]],
  },
  {
    name: 'type 0 and code 0 are values, not "any"',
    rules: [{ direction: 'ingress', protocol: 'icmp', type: 0, code: 0 }],
    traffic: [[IN, icmp('1.2.3.4', ME, 0, 0), 0], [IN, icmp('1.2.3.4', ME, 0, 1), null], [IN, icmp('1.2.3.4', ME, 1, 0), null]],
  },
  {
    name: 'icmpv6 rules match ICMPv6 only; icmp rules never match IPv6; ICMP rules never match TCP',
    rules: [{ direction: 'ingress', protocol: 'icmpv6', type: 128 }, { direction: 'ingress', protocol: 'icmp' }],
    traffic: [[IN, icmp('2001:db8::99', ME6, 128), 0], [IN, icmp('2001:db8::99', ME6, 129), null], [IN, icmp('1.2.3.4', ME, 128), 1], [IN, tcp('1.2.3.4', ME, 8), null]],
  },
  // ---- Other protocol numbers
  {
    name: 'a protocol number (GRE 47, SCTP 132) matches that protocol only',
    rules: [{ direction: 'ingress', protocol: 47 }, { direction: 'ingress', protocol: 132, remote_ip_prefix: '10.0.0.0/8' }],
    traffic: [[IN, proto(47, '1.2.3.4', ME), 0], [IN, proto(50, '1.2.3.4', ME), null], [IN, proto(132, '10.9.9.9', ME), 1], [IN, proto(132, '11.0.0.1', ME), null], [IN, tcp('1.2.3.4', ME, 47), null], [IN, proto(6, '1.2.3.4', ME), null]],
  },
  {
    name: 'protocol any matches every protocol number, 0 and 255 included',
    rules: [{ direction: 'ingress', protocol: 'any', remote_ip_prefix: '192.0.2.0/24' }],
    traffic: [[IN, proto(0, '192.0.2.1', ME), 0], [IN, proto(255, '192.0.2.1', ME), 0], [IN, proto(41, '192.0.2.1', ME), 0], [IN, tcp('192.0.2.1', ME, 1), 0], [IN, icmp('192.0.2.1', ME, 13, 0), 0], [IN, proto(41, '192.0.3.1', ME), null]],
  },
  {
    name: 'an IPv6 rule for a protocol number (41, 6in4) matches IPv6 packets only',
    rules: [{ direction: 'ingress', protocol: 41, ethertype: 'IPv6' }],
    traffic: [[IN, proto(41, '2001:db8::99', ME6), 0], [IN, proto(41, '1.2.3.4', ME), null]],
  },
  // ---- Prefixes
  {
    name: '/0: every IPv4 address, from 0.0.0.0 to 255.255.255.255, and no IPv6 one',
    rules: [{ direction: 'ingress', protocol: 'tcp', ports: 22, remote_ip_prefix: '0.0.0.0/0' }],
    traffic: [[IN, tcp('0.0.0.0', ME, 22), 0], [IN, tcp('255.255.255.255', ME, 22), 0], [IN, tcp('2001:db8::99', ME6, 22), null]],
  },
  {
    name: '::/0: every IPv6 address and no IPv4 one',
    rules: [{ direction: 'ingress', protocol: 'tcp', ports: 22, remote_ip_prefix: '::/0' }],
    traffic: [[IN, tcp('::', ME6, 22), 0], [IN, tcp('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ME6, 22), 0], [IN, tcp('1.2.3.4', ME, 22), null]],
  },
  {
    name: '/1 halves: 0.0.0.0/1 and 128.0.0.0/1 split at 128.0.0.0',
    rules: [{ direction: 'ingress', protocol: 'udp', remote_ip_prefix: '0.0.0.0/1' }, { direction: 'ingress', protocol: 'udp', remote_ip_prefix: '128.0.0.0/1' }],
    traffic: [[IN, udp('127.255.255.255', ME, 9), 0], [IN, udp('128.0.0.0', ME, 9), 1], [IN, udp('255.255.255.255', ME, 9), 1], [IN, udp('0.0.0.0', ME, 9), 0]],
  },
  {
    name: 'host prefixes /32 and /128: the address only, not its neighbours',
    rules: [{ direction: 'ingress', protocol: 'tcp', remote_ip_prefix: '10.0.0.5/32' }, { direction: 'ingress', protocol: 'tcp', remote_ip_prefix: '2001:db8::5/128' }],
    traffic: [[IN, tcp('10.0.0.5', ME, 80), 0], [IN, tcp('10.0.0.4', ME, 80), null], [IN, tcp('10.0.0.6', ME, 80), null], [IN, tcp('2001:db8::5', ME6, 80), 1], [IN, tcp('2001:db8::4', ME6, 80), null], [IN, tcp('2001:db8::6', ME6, 80), null]],
  },
  {
    name: 'a /24 includes its network and broadcast addresses, not the ones beside',
    rules: [{ direction: 'ingress', protocol: 'tcp', remote_ip_prefix: '192.168.7.0/24' }],
    traffic: [[IN, tcp('192.168.7.0', ME, 80), 0], [IN, tcp('192.168.7.255', ME, 80), 0], [IN, tcp('192.168.6.255', ME, 80), null], [IN, tcp('192.168.8.0', ME, 80), null]],
  },
  {
    name: 'nested prefixes: the first in order among those containing the address',
    rules: [{ direction: 'ingress', protocol: 'tcp', remote_ip_prefix: '10.1.2.0/24' }, { direction: 'ingress', protocol: 'tcp', remote_ip_prefix: '10.0.0.0/8' }, { direction: 'ingress', protocol: 'tcp', remote_ip_prefix: '10.1.0.0/16' }],
    traffic: [[IN, tcp('10.1.2.3', ME, 80), 0], [IN, tcp('10.1.3.3', ME, 80), 1], [IN, tcp('10.200.0.1', ME, 80), 1], [IN, tcp('11.0.0.1', ME, 80), null]],
  },
  // ---- IPv6
  {
    name: 'IPv6 prefixes: a /64, a /48 around it, a link-local /10',
    rules: [{ direction: 'ingress', protocol: 'tcp', ports: 22, remote_ip_prefix: '2001:db8::/64' }, { direction: 'ingress', protocol: 'tcp', remote_ip_prefix: '2001:db8::/48' }, { direction: 'ingress', protocol: 'udp', remote_ip_prefix: 'fe80::/10' }],
    traffic: [[IN, tcp('2001:db8::ffff:1', ME6, 22), 0], [IN, tcp('2001:db8:0:1::1', ME6, 22), 1], [IN, tcp('2001:db8::ffff:1', ME6, 23), 1], [IN, tcp('2001:db9::1', ME6, 22), null], [IN, udp('febf:ffff::1', ME6, 53), 2], [IN, udp('fec0::1', ME6, 53), null]],
  },
  {
    name: 'an IPv4 rule with no remote does not match IPv6, and the reverse',
    rules: [{ direction: 'ingress', protocol: 'tcp', ports: 80 }, { direction: 'ingress', protocol: 'udp', ethertype: 'IPv6' }],
    traffic: [[IN, tcp('2001:db8::99', ME6, 80), null], [IN, udp('1.2.3.4', ME, 80), null], [IN, udp('2001:db8::99', ME6, 80), 1]],
  },
  // ---- Direction
  {
    name: 'ingress rules judge the source, egress rules the destination; neither judges the other direction',
    rules: [{ direction: 'ingress', protocol: 'tcp', ports: 22, remote_ip_prefix: '10.0.0.0/24' }, { direction: 'egress', protocol: 'tcp', ports: 443, remote_ip_prefix: '192.0.2.0/24' }],
    traffic: [[IN, tcp('10.0.0.5', ME, 22), 0], [OUT, tcp(ME, '10.0.0.5', 22), null], [OUT, tcp(ME, '192.0.2.9', 443), 1], [OUT, tcp('192.0.2.9', '8.8.8.8', 443), null], [IN, tcp('192.0.2.9', ME, 443), null]],
  },
  // ---- Remote groups
  {
    name: 'a remote group: fixed IPs of its ports, its address pairs (prefix and host), not others',
    rules: [{ direction: 'ingress', protocol: 'tcp', ports: 5432, remote_group: 'peers' }, { direction: 'ingress', protocol: 'tcp', ports: 5432, remote_group: 'peers', ethertype: 'IPv6' }],
    traffic: [
      [IN, tcp('10.0.0.11', ME, 5432), 0], [IN, tcp('10.0.0.12', ME, 5432), 0], [IN, tcp('10.0.5.77', ME, 5432), 0], [IN, tcp('10.0.5.0', ME, 5432), 0], [IN, tcp('10.0.0.200', ME, 5432), 0],
      [IN, tcp('10.0.0.13', ME, 5432), null], [IN, tcp('10.0.6.0', ME, 5432), null], [IN, tcp('10.0.0.11', ME, 5433), null],
      [IN, tcp('2001:db8::11', ME6, 5432), 1], [IN, tcp('2001:db8::12', ME6, 5432), null],
    ],
  },
  {
    name: 'a remote group with no ports matches nothing; a prefix rule after it still does',
    rules: [{ direction: 'ingress', protocol: 'tcp', remote_group: 'lonely' }, { direction: 'ingress', protocol: 'tcp', remote_ip_prefix: '10.0.0.0/24' }],
    traffic: [[IN, tcp('10.0.0.11', ME, 80), 1], [IN, tcp('1.2.3.4', ME, 80), null]],
  },
  {
    name: 'the port\'s own group as remote group (Neutron\'s default group): its own addresses are members',
    rules: [{ direction: 'ingress', remote_group: 'g' }, { direction: 'egress', remote_group: 'peers' }],
    traffic: [[IN, tcp(ME, ME, 1), 0], [IN, tcp('10.0.0.11', ME, 1), null], [OUT, udp(ME, '10.0.5.3', 1), 1], [OUT, udp(ME, '10.0.7.3', 1), null]],
  },
  {
    name: 'a remote group and a prefix covering the same member: the first is named',
    rules: [{ direction: 'ingress', protocol: 'udp', remote_ip_prefix: '10.0.5.0/25' }, { direction: 'ingress', protocol: 'udp', remote_group: 'peers' }],
    traffic: [[IN, udp('10.0.5.1', ME, 53), 0], [IN, udp('10.0.5.200', ME, 53), 1], [IN, udp('10.0.0.11', ME, 53), 1]],
  },
  {
    name: 'no rules: nothing passes',
    rules: [],
    traffic: [[IN, tcp('10.0.0.11', ME, 22), null], [OUT, tcp(ME, '10.0.0.11', 22), null]],
  },
];

const MATCHERS: [string, (rules: readonly MatchRule[], members: GroupMembers) => Matcher][] = [
  ['compiled', (r, m) => new CompiledMatcher(r, m)],
  ['linear', (r, m) => new LinearMatcher(r, m)],
];

describe.each(MATCHERS)('%s matcher', (_, make) => {
  it.each(CASES)('$name', ({ rules: docs, traffic }) => {
    const { rules, members } = load(docs);
    const matcher = make(rules, members);
    const got = traffic.map(([d, f]) => matcher.match(f, d)?.index ?? null);
    expect(got).toEqual(traffic.map(([, , want]) => want));
  });
});

describe('bugs found by these tests, fixed and kept as regressions', () => {
  const known = it;
  // The resolver stores 1-65535 as "any port" (ports: null → portFrom 0), so files never reach
  // this; but toMatchRule keeps an explicit { from: 1, to: 65535 } as 1-65535, and then
  // PortIndex.add (`r.portFrom <= 1 && r.portTo >= 65535`) files it under "all ports": the
  // compiled matcher allows TCP/UDP destination port 0, which the linear reference (0 < 1) does not.
  known('the matchers agree on port 0 for a rule built with ports 1-65535', () => {
    const r: SecurityGroupRule = {
      index: 0, origin: 'file', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', ports: { from: 1, to: 65535 },
      icmpType: null, icmpCode: null, remoteIpPrefix: null, remoteGroup: null, text: 'ingress tcp/1-65535 from 0.0.0.0/0',
    };
    const rules = [toMatchRule('g', r, 0)];
    const f = tcp('1.2.3.4', ME, 0);
    expect(new CompiledMatcher(rules, new Map()).match(f, 'ingress')?.order).toBe(new LinearMatcher(rules, new Map()).match(f, 'ingress')?.order);
  });
});

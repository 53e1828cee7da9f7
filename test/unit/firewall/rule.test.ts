/**
 * A security-group rule in matching form (src/firewall/rule.ts), one function at a time:
 * toMatchRule's defaults (any port, any ICMP type and code, a /0 prefix is any remote), and the
 * reference semantics — direction and ethertype, protocol with inclusive port ranges and ICMP
 * type/code, and the remote (any, a prefix, a group's addresses and address-pair prefixes) —
 * compared with the packet's source for ingress and its destination for egress.
 */
import { describe, expect, it } from 'vitest';
import { PROTO, type PacketFields } from '../../../src/firewall/packet-fields.js';
import { protocolMatches, remoteMatches, remoteOf, ruleMatches, toMatchRule, type GroupMembers } from '../../../src/firewall/rule.js';
import { prefixValue } from '../../../src/packet/ip-value.js';
import type { SecurityGroupRule } from '../../../src/topology/model.js';

const A = 0x0a000002; // 10.0.0.2
const B = 0x0a000103; // 10.0.1.3
const A6 = (0x20010db8n << 96n) | 2n;
const B6 = (0x20010db8n << 96n) | 3n;

const base: SecurityGroupRule = { index: 3, origin: 'file', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', ports: null, icmpType: null, icmpCode: null, remoteIpPrefix: null, remoteGroup: null, text: 'ingress tcp' };
const rule = (r: Partial<SecurityGroupRule>) => toMatchRule('web', { ...base, ...r }, 7);
const cidr = (prefix: number): SecurityGroupRule['remoteIpPrefix'] => ({ text: `10.0.0.0/${prefix}`, cidr: { version: 4, network: prefix === 0 ? 0n : 0x0a000000n, prefix } });

const f = (proto: number, more: Partial<PacketFields> = {}): PacketFields => ({ version: 4, proto, src: B, dst: A, dport: -1, sport: -1, icmpType: -1, icmpCode: -1, ...more });
const tcp = (dport: number) => f(PROTO.tcp, { dport, sport: 40001 });
const udp = (dport: number) => f(PROTO.udp, { dport, sport: 40001 });
const icmp = (type: number, code: number) => f(PROTO.icmp, { icmpType: type, icmpCode: code });
const NO_MEMBERS: GroupMembers = new Map();

describe('toMatchRule', () => {
  it('keeps the group, index, text, direction and order; names protocols by number', () => {
    expect(rule({})).toMatchObject({ order: 7, group: 'web', index: 3, text: 'ingress tcp', direction: 'ingress', version: 4, proto: PROTO.tcp });
    expect([rule({ protocol: 'udp' }).proto, rule({ protocol: 'icmp' }).proto, rule({ protocol: 'icmpv6' }).proto, rule({ protocol: 'any' }).proto, rule({ protocol: 47 }).proto]).toEqual([17, 1, 58, -1, 47]);
    expect(rule({ ethertype: 'IPv6' }).version).toBe(6);
    expect(rule({ direction: 'egress' }).direction).toBe('egress');
  });

  it('no ports means every port (0-65535); no ICMP type or code means any (-1)', () => {
    expect(rule({})).toMatchObject({ portFrom: 0, portTo: 65535, icmpType: -1, icmpCode: -1 });
    expect(rule({ ports: { from: 80, to: 90 }, icmpType: 8, icmpCode: 0 })).toMatchObject({ portFrom: 80, portTo: 90, icmpType: 8, icmpCode: 0 });
  });

  it('a remote group wins over any prefix field; a /0 prefix is any remote; a longer one is that prefix', () => {
    expect(rule({ remoteGroup: 'db', remoteIpPrefix: cidr(24) }).remote).toEqual({ kind: 'group', group: 'db' });
    expect(rule({}).remote).toEqual({ kind: 'any' });
    expect(rule({ remoteIpPrefix: cidr(0) }).remote).toEqual({ kind: 'any' });
    expect(rule({ remoteIpPrefix: cidr(8) }).remote).toEqual({ kind: 'prefix', prefix: prefixValue(0x0a000000, 8) });
  });
});

describe('protocolMatches', () => {
  it('a port range is inclusive at both ends', () => {
    const r = rule({ ports: { from: 80, to: 90 } });
    expect([79, 80, 85, 90, 91].map((p) => protocolMatches(r, tcp(p)))).toEqual([false, true, true, true, false]);
  });

  it('a UDP rule checks its ports too, and never matches TCP', () => {
    const r = rule({ protocol: 'udp', ports: { from: 53, to: 53 } });
    expect([protocolMatches(r, udp(53)), protocolMatches(r, udp(54)), protocolMatches(r, tcp(53))]).toEqual([true, false, false]);
  });

  it('any protocol matches every protocol, whatever its ports', () => {
    const r = rule({ protocol: 'any' });
    expect([tcp(1), udp(65535), icmp(8, 0), f(47)].every((x) => protocolMatches(r, x))).toBe(true);
  });

  it('ICMP: no type matches all; a type matches only it; a type and code match only both', () => {
    expect([icmp(8, 0), icmp(3, 1)].every((x) => protocolMatches(rule({ protocol: 'icmp' }), x))).toBe(true);
    const type8 = rule({ protocol: 'icmp', icmpType: 8 });
    expect([protocolMatches(type8, icmp(8, 0)), protocolMatches(type8, icmp(8, 5)), protocolMatches(type8, icmp(0, 0))]).toEqual([true, true, false]);
    const unreach = rule({ protocol: 'icmp', icmpType: 3, icmpCode: 1 });
    expect([protocolMatches(unreach, icmp(3, 1)), protocolMatches(unreach, icmp(3, 3)), protocolMatches(unreach, icmp(4, 1))]).toEqual([true, false, false]);
  });

  it('ICMPv6 rules check type and code the same way', () => {
    const r = toMatchRule('web', { ...base, ethertype: 'IPv6', protocol: 'icmpv6', icmpType: 128, icmpCode: 0 }, 0);
    const v6 = (type: number, code: number): PacketFields => ({ ...icmp(type, code), version: 6, proto: PROTO.icmpv6, src: B6, dst: A6 });
    expect([protocolMatches(r, v6(128, 0)), protocolMatches(r, v6(129, 0)), protocolMatches(r, v6(128, 1))]).toEqual([true, false, false]);
  });

  it('another protocol number matches only itself', () => {
    const gre = rule({ protocol: 47 });
    expect([protocolMatches(gre, f(47)), protocolMatches(gre, f(50)), protocolMatches(gre, tcp(80))]).toEqual([true, false, false]);
  });
});

describe('remoteMatches and remoteOf', () => {
  const members: GroupMembers = new Map([['db', { addresses: new Set([B]), prefixes: [prefixValue(0x0a000500, 24)] }]]);

  it('any matches every address; a prefix only its addresses', () => {
    expect(remoteMatches(rule({}), B, NO_MEMBERS)).toBe(true);
    const r = rule({ remoteIpPrefix: cidr(24) });
    expect([remoteMatches(r, A, NO_MEMBERS), remoteMatches(r, B, NO_MEMBERS)]).toEqual([true, false]);
  });

  it('a group matches its members\' addresses and their address-pair prefixes; an unknown group matches nothing', () => {
    const r = rule({ remoteGroup: 'db' });
    expect([remoteMatches(r, B, members), remoteMatches(r, 0x0a000507, members), remoteMatches(r, A, members)]).toEqual([true, true, false]);
    expect(remoteMatches(rule({ remoteGroup: 'nobody' }), B, members)).toBe(false);
  });

  it('the remote is the source for ingress and the destination for egress', () => {
    expect([remoteOf(tcp(80), 'ingress'), remoteOf(tcp(80), 'egress')]).toEqual([B, A]);
  });
});

describe('ruleMatches', () => {
  it('needs the rule\'s direction and ethertype, then its protocol part and its remote', () => {
    const r = rule({ ports: { from: 22, to: 22 }, remoteIpPrefix: cidr(24) });
    expect(ruleMatches(r, { ...tcp(22), src: 0x0a000009 }, 'ingress', NO_MEMBERS)).toBe(true);
    expect(ruleMatches(r, { ...tcp(22), src: 0x0a000009 }, 'egress', NO_MEMBERS)).toBe(false);
    expect(ruleMatches(r, { ...tcp(22), version: 6, src: B6, dst: A6 }, 'ingress', NO_MEMBERS)).toBe(false);
    expect(ruleMatches(r, { ...tcp(23), src: 0x0a000009 }, 'ingress', NO_MEMBERS)).toBe(false);
    expect(ruleMatches(r, tcp(22), 'ingress', NO_MEMBERS)).toBe(false); // B, outside 10.0.0.0/24
    // Egress compares the destination: A is inside 10.0.0.0/24, B is not.
    const out = rule({ direction: 'egress', ports: { from: 22, to: 22 }, remoteIpPrefix: cidr(24) });
    expect(ruleMatches(out, tcp(22), 'egress', NO_MEMBERS)).toBe(true);
    expect(ruleMatches(out, { ...tcp(22), dst: B }, 'egress', NO_MEMBERS)).toBe(false);
  });
});

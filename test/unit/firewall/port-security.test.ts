/**
 * Port security (anti-spoofing) as Neutron's OVS firewall applies it on what leaves a port: the
 * frame's source MAC must be the port's, its source IP (or ARP sender address) one of the port's
 * fixed IPs or inside an allowed address pair — with the pair's MAC when the pair names one.
 * ARP and ND pass once they are not spoofed. Tested on spoofingReason, on the PortFirewall with
 * a fake Sim, and end to end with simulator probes that set a source address.
 */
import { describe, expect, it } from 'vitest';
import { parseIp } from '../../../src/address/ip.js';
import { parseMac, type Mac } from '../../../src/address/mac.js';
import { PORT_TABLES, type Stage } from '../../../src/engine/pipeline.js';
import type { FrameMeta, Outcome, Sim } from '../../../src/engine/node-contract.js';
import type { VerdictFact } from '../../../src/trace/verdict-reducer.js';
import { Simulator } from '../../../src/engine/simulator.js';
import { LinearMatcher } from '../../../src/firewall/linear-matcher.js';
import { PortFirewall } from '../../../src/firewall/port-firewall.js';
import { spoofingReason, type PortIdentity } from '../../../src/firewall/port-security.js';
import { ICMP, TCP_SYN, type Frame, type IpPacket } from '../../../src/packet/frame.js';
import { toIpValue, toPrefixValue, type IpValue } from '../../../src/packet/ip-value.js';
import { parseCidr } from '../../../src/address/cidr.js';
import { formatIssue } from '../../../src/topology/issue.js';
import { parseTopology } from '../../../src/topology/load.js';

const ipv = (t: string): IpValue => toIpValue(parseIp(t)!);
const mac = (t: string): Mac => parseMac(t)!;
const pfx = (t: string) => {
  const r = parseCidr(t);
  if (!r.ok) throw new Error(t);
  return toPrefixValue(r.cidr);
};

const PORT_MAC = mac('fa:16:3e:00:00:01');
const PAIR_MAC = mac('fa:16:3e:aa:bb:cc');
const OTHER_MAC = mac('fa:16:3e:00:00:99');
const ROUTER_MAC = mac('fa:16:3e:00:00:fe');

/** A port at 10.0.0.10 and 2001:db8::10, with a VIP range (no MAC) and a pair bound to another MAC. */
const id: PortIdentity = {
  mac: PORT_MAC,
  addresses: new Set([ipv('10.0.0.10'), ipv('2001:db8::10')]),
  pairs: [
    { prefix: pfx('10.0.0.128/25'), mac: null },
    { prefix: pfx('10.0.9.9/32'), mac: PAIR_MAC },
    { prefix: pfx('2001:db8:0:0:1::/80'), mac: null },
  ],
};

const udpFrom = (srcMac: Mac, src: string, dst = '10.0.0.20'): Frame => ({
  src: srcMac, dst: ROUTER_MAC,
  payload: { kind: 'ip', version: src.includes(':') ? 6 : 4, src: ipv(src), dst: ipv(dst.includes(':') === src.includes(':') ? dst : src.includes(':') ? '2001:db8::20' : dst), ttl: 64, l4: { proto: 'udp', sport: 40001, dport: 53 } },
});
const arpFrom = (frameMac: Mac, senderMac: Mac, senderIp: string, op: 'request' | 'reply' = 'request'): Frame => ({
  src: frameMac, dst: 0xffffffffffff,
  payload: { kind: 'arp', op, senderMac, senderIp: ipv(senderIp) as number, targetMac: 0, targetIp: ipv('10.0.0.20') as number },
});

describe('spoofingReason', () => {
  it.each([
    ['its own MAC and fixed IPv4', udpFrom(PORT_MAC, '10.0.0.10')],
    ['its own MAC and fixed IPv6', udpFrom(PORT_MAC, '2001:db8::10')],
    ['an address in a pair without MAC, with the port MAC', udpFrom(PORT_MAC, '10.0.0.200')],
    ['the first address of that pair', udpFrom(PORT_MAC, '10.0.0.128')],
    ['the last address of that pair', udpFrom(PORT_MAC, '10.0.0.255')],
    ['an IPv6 address in a pair without MAC', udpFrom(PORT_MAC, '2001:db8::1:0:0:5')],
    ['a pair\'s address with the pair\'s MAC', udpFrom(PAIR_MAC, '10.0.9.9')],
    ['an ARP request from its own MAC and address', arpFrom(PORT_MAC, PORT_MAC, '10.0.0.10')],
    ['an ARP reply for a pair address (keepalived VIP takeover)', arpFrom(PORT_MAC, PORT_MAC, '10.0.0.130', 'reply')],
    ['an ARP announcement of the MAC-bound pair from that MAC', arpFrom(PAIR_MAC, PAIR_MAC, '10.0.9.9')],
  ])('lets out %s', (_, frame) => {
    expect(spoofingReason(id, frame)).toBeUndefined();
  });

  it.each([
    ['another MAC with its own IP (spoofed MAC)', udpFrom(OTHER_MAC, '10.0.0.10'), /^source MAC fa:16:3e:00:00:99 is not the port's \(fa:16:3e:00:00:01\)$/],
    ['its MAC with another IP (spoofed IP)', udpFrom(PORT_MAC, '10.0.0.11'), /^source address 10\.0\.0\.11 is not one of/],
    ['its MAC with another IPv6 address', udpFrom(PORT_MAC, '2001:db8::11'), /^source address 2001:db8::11 is not one of/],
    ['the address just below a pair', udpFrom(PORT_MAC, '10.0.0.127'), /^source address 10\.0\.0\.127 /],
    ['a pair without MAC, from another MAC', udpFrom(OTHER_MAC, '10.0.0.200'), /^source MAC fa:16:3e:00:00:99 /],
    ['a MAC-bound pair\'s address from the port\'s own MAC', udpFrom(PORT_MAC, '10.0.9.9'), /^source address 10\.0\.9\.9 /],
    ['a fixed IP from the MAC of a pair (the pair binds MAC and address together)', udpFrom(PAIR_MAC, '10.0.0.10'), /^source address 10\.0\.0\.10 /],
    ['an address of the pair MAC\'s pair range that is not its own', udpFrom(PAIR_MAC, '10.0.9.10'), /^source address 10\.0\.9\.10 /],
    ['ARP claiming another instance\'s address (ARP spoofing)', arpFrom(PORT_MAC, PORT_MAC, '10.0.0.20', 'reply'), /^source address 10\.0\.0\.20 /],
    ['ARP with another sender MAC', arpFrom(OTHER_MAC, OTHER_MAC, '10.0.0.10'), /^source MAC fa:16:3e:00:00:99 /],
  ])('drops %s', (_, frame, reason) => {
    expect(spoofingReason(id, frame)).toMatch(reason);
  });
});

interface Traced { readonly node: string; readonly port: string | null; readonly stage: Stage; readonly action: string; readonly detail: Record<string, unknown> }

/**
 * The Sim members a port filter uses: the clock, recording, trace, and reporting a drop (an
 * outcome or blocked fact, and whether blockers are explained). Anything else throws, so new uses show up here.
 */
class FakeSim {
  now = 0;
  readonly recording = true;
  traced: Traced[] = [];
  outcomes: Outcome[] = [];
  readonly sim: Sim;

  constructor() {
    this.sim = new Proxy(this, {
      get(target, key, receiver) {
        if (key in target) return Reflect.get(target, key, receiver);
        throw new Error(`the port filter used Sim.${String(key)}, which this fake does not implement`);
      },
    }) as unknown as Sim;
  }

  trace(node: string, port: string | null, stage: Stage, action: string, _what: unknown, _meta: FrameMeta, detail: Record<string, unknown> = {}): void {
    this.traced.push({ node, port, stage, action, detail });
  }

  readonly explainAll = false;

  report(_meta: FrameMeta, fact: VerdictFact): void {
    if (fact.kind === 'outcome' || fact.kind === 'blocked') this.outcomes.push(fact.outcome);
  }
}

const META: FrameMeta = { probe: 1, dir: 'forward' };

/** A firewall on port a/eth0 with no rules at all: only what needs no rule gets out. */
function firewall(): PortFirewall {
  return new PortFirewall({ port: 'a/eth0', identity: id, groups: ['locked'], stateful: true, matcher: new LinearMatcher([], new Map()) }, PORT_TABLES);
}

describe('PortFirewall.egress: port security comes first', () => {
  it('a spoofed frame is dropped at port.security, traced, with the reason in the outcome', () => {
    const f = new FakeSim();
    expect(firewall().egress(f.sim, 'instance:a', 'a/eth0', udpFrom(OTHER_MAC, '10.0.0.10'), META)).toBe(false);
    expect(f.traced.map((t) => [t.stage, t.action])).toEqual([['port.security', 'drop']]);
    expect(f.outcomes).toEqual([expect.objectContaining({ kind: 'dropped', node: 'instance:a', stage: 'port.security', reason: expect.stringMatching(/^port security on a\/eth0: source MAC/) })]);
  });

  it('legitimate ARP and neighbour discovery pass without any rule; legitimate IP still needs a rule', () => {
    const f = new FakeSim();
    const fw = firewall();
    expect(fw.egress(f.sim, 'instance:a', 'a/eth0', arpFrom(PORT_MAC, PORT_MAC, '10.0.0.10'), META)).toBe(true);
    const ns: IpPacket = { kind: 'ip', version: 6, src: ipv('2001:db8::10'), dst: ipv('ff02::1:ff00:20'), ttl: 255, l4: { proto: 'icmp', type: ICMP.v6.ns, code: 0, target: ipv('2001:db8::20') as bigint, lladdr: PORT_MAC } };
    expect(fw.egress(f.sim, 'instance:a', 'a/eth0', { src: PORT_MAC, dst: 0x3333ff000020, payload: ns }, META)).toBe(true);
    expect(f.outcomes).toEqual([]);
    const syn: Frame = { src: PORT_MAC, dst: ROUTER_MAC, payload: { kind: 'ip', version: 4, src: ipv('10.0.0.10'), dst: ipv('10.0.0.20'), ttl: 64, l4: { proto: 'tcp', sport: 40001, dport: 22, flags: TCP_SYN } } };
    expect(fw.egress(f.sim, 'instance:a', 'a/eth0', syn, META)).toBe(false);
    expect(f.outcomes.map((o) => o.stage)).toEqual(['sg.egress']);
  });

  it('passes the ICMPv6 Neutron allows without a rule (MLD queries, RS out), and not a router advertisement', () => {
    const icmp6 = (type: number, src = '2001:db8::10', dst = 'ff02::2'): Frame => ({ src: PORT_MAC, dst: 0x333300000002, payload: { kind: 'ip', version: 6, src: ipv(src), dst: ipv(dst), ttl: 255, l4: { proto: 'icmp', type, code: 0 } } });
    const f = new FakeSim();
    const fw = firewall();
    // Out of the port: MLD query and router solicitation pass; a router advertisement needs a rule.
    expect(fw.egress(f.sim, 'instance:a', 'a/eth0', icmp6(130), META)).toBe(true);
    expect(fw.egress(f.sim, 'instance:a', 'a/eth0', icmp6(133), META)).toBe(true);
    expect(f.outcomes).toEqual([]);
    expect(fw.egress(f.sim, 'instance:a', 'a/eth0', icmp6(134), META)).toBe(false);
    expect(f.outcomes.map((o) => o.stage)).toEqual(['sg.egress']);
    // Into the port: the MLD query passes, a router solicitation (meant for routers) does not.
    const g = new FakeSim();
    expect(fw.ingress(g.sim, 'instance:a', 'a/eth0', icmp6(130, '2001:db8::1', 'ff02::1'), META)).toBe(true);
    expect(fw.ingress(g.sim, 'instance:a', 'a/eth0', icmp6(133, '2001:db8::30', 'ff02::2'), META)).toBe(false);
    expect(g.outcomes.map((o) => o.stage)).toEqual(['sg.ingress']);
  });

  it('spoofed neighbour discovery is dropped like any other frame', () => {
    const f = new FakeSim();
    const na: IpPacket = { kind: 'ip', version: 6, src: ipv('2001:db8::20'), dst: ipv('2001:db8::30'), ttl: 255, l4: { proto: 'icmp', type: ICMP.v6.na, code: 0, target: ipv('2001:db8::20') as bigint, lladdr: PORT_MAC } };
    expect(firewall().egress(f.sim, 'instance:a', 'a/eth0', { src: PORT_MAC, dst: 0x333300000030, payload: na }, META)).toBe(false);
    expect(f.outcomes.map((o) => o.stage)).toEqual(['port.security']);
  });

  it('ingress is not checked for spoofing (Neutron filters sources only on what the port sends)', () => {
    const f = new FakeSim();
    expect(firewall().ingress(f.sim, 'instance:a', 'a/eth0', arpFrom(OTHER_MAC, OTHER_MAC, '10.0.0.20'), META)).toBe(true);
  });
});

describe('end to end: a probe with a chosen source address', () => {
  const yaml = (portSecurity: boolean) => `version: 1
networks:
  lan:
    subnets:
      lan-v4: { cidr: 10.0.0.0/24 }
security_groups:
  open:
    rules:
      - { direction: ingress, protocol: udp, ports: 53 }
instances:
  a:
    ports:
      - ip: 10.0.0.10
        subnet: lan-v4
${portSecurity ? `        security_groups: [open]
        allowed_address_pairs: ["10.0.0.128/25", { ip_address: 10.0.0.77, mac_address: "fa:16:3e:aa:bb:cc" }]` : '        port_security: false'}
  b: { ports: [{ subnet: lan-v4, ip: 10.0.0.20, security_groups: [open] }], services: [udp/53] }
`;
  const sim = (portSecurity = true) => {
    const r = parseTopology(yaml(portSecurity));
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
    return new Simulator(r.cloud);
  };
  const send = (s: Simulator, src: string) => s.probe({ from: 'instance:a', to: ipv('10.0.0.20'), proto: 'udp', port: 53, src: ipv(src) });

  it('from its own address: delivered and answered', () => {
    expect(send(sim(), '10.0.0.10')).toMatchObject({ verdict: 'delivered', reply: true });
  });

  it('from a spoofed address: dropped by port security on a/eth0', () => {
    const v = send(sim(), '10.0.0.50');
    expect(v).toMatchObject({ verdict: 'dropped', reply: false, drop: { node: 'instance:a', stage: 'port.security' } });
    expect(v.drop?.reason).toMatch(/source address 10\.0\.0\.50 is not one of the port's addresses or allowed address pairs/);
  });

  it('from an allowed address pair without MAC: passes port security and is delivered', () => {
    expect(send(sim(), '10.0.0.130').verdict).toBe('delivered');
  });

  it('from the address of a pair bound to another MAC, sent with the port\'s own MAC: dropped', () => {
    expect(send(sim(), '10.0.0.77')).toMatchObject({ verdict: 'dropped', drop: { stage: 'port.security' } });
  });

  it('with port_security: false (no groups, no pairs, as Neutron requires) the spoofed address gets through', () => {
    expect(send(sim(false), '10.0.0.50').verdict).toBe('delivered');
  });
});

describe('bugs found by these tests, fixed and kept as regressions', () => {
  const known = it;
  // Neutron's OVS firewall matches dl_src=<port MAC> on everything a port sends, ARP included,
  // besides arp_sha/arp_spa. spoofingReason looks only at the ARP sender fields for ARP, so an ARP
  // frame with a forged Ethernet source leaves the port, and the switch learns the forged MAC on
  // this port (MAC stealing / flooding).
  known('an ARP frame whose Ethernet source is not the port\'s MAC is dropped', () => {
    expect(spoofingReason(id, arpFrom(OTHER_MAC, PORT_MAC, '10.0.0.10'))).toMatch(/^source MAC/);
  });
});

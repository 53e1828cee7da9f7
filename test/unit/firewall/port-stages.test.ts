/**
 * The port filter's stages one at a time (src/firewall/port-stages.ts), each with a tiny
 * context: a port at 10.0.0.10 with one group allowing UDP/53 out, a fake Sim that records
 * traces and facts, and a hop. Each stage's default is NEXT (the frame may go on); a drop
 * stops with a reason; the tables pass what no stage stopped (PortFirewall.egress/ingress).
 */
import { describe, expect, it } from 'vitest';
import type { FrameMeta, Sim } from '../../../src/engine/node-contract.js';
import { PIPELINE, PORT_IN_PIPELINE, PORT_OUT_PIPELINE, PORT_TABLES } from '../../../src/engine/pipeline.js';
import { LinearMatcher } from '../../../src/firewall/linear-matcher.js';
import { PortFirewall } from '../../../src/firewall/port-firewall.js';
import { checkPortSecurity, filterEgress, filterIngress, type PortHop } from '../../../src/firewall/port-stages.js';
import { toMatchRule } from '../../../src/firewall/rule.js';
import type { Frame } from '../../../src/packet/frame.js';
import type { VerdictFact } from '../../../src/trace/verdict-reducer.js';
import { NEXT } from '../../../src/util/stages.js';

const META: FrameMeta = { probe: 1, dir: 'forward' };
const PORT_MAC = 0xfa163e000001;
const OTHER_MAC = 0xfa163e000099;
const ROUTER_MAC = 0xfa163e0000fe;
const ME = 0x0a00000a; // 10.0.0.10
const PEER = 0x0a000014; // 10.0.0.20

function fakeSim(explainAll = false) {
  const traced: { stage: string; action: string }[] = [];
  const details: unknown[] = [];
  const facts: VerdictFact[] = [];
  const sim = {
    now: 0, recording: true, explainAll,
    trace: (_n: string, _p: string | null, stage: string, action: string, _w: unknown, _m: FrameMeta, detail: unknown = {}) => { traced.push({ stage, action }); details.push(detail); },
    report: (_m: FrameMeta, f: VerdictFact) => { facts.push(f); },
    transmit: () => undefined, setTimer: () => 0, cancelTimer: () => undefined,
  } as unknown as Sim;
  return { sim, traced, details, facts };
}

const DNS_OUT = toMatchRule('g', { index: 0, text: 'egress udp 53', direction: 'egress', ethertype: 'IPv4', protocol: 'udp', ports: { from: 53, to: 53 }, remoteIpPrefix: null, remoteGroup: null } as never, 0);

const PAIR_MAC = 0xfa163e000077;

function firewall(): PortFirewall {
  return new PortFirewall({ port: 'a/eth0', identity: { mac: PORT_MAC, addresses: new Set([ME]), pairs: [{ prefix: { network: 0x0a000063, mask: 0xffffffff, length: 32 }, mac: PAIR_MAC }, { prefix: { network: 0x0a000064, mask: 0xffffffff, length: 32 }, mac: PAIR_MAC + 1 }] }, groups: ['g'], stateful: true, matcher: new LinearMatcher([DNS_OUT], new Map()) }, PORT_TABLES);
}

const udp = (srcMac: number, dstMac: number, src: number, dst: number, sport: number, dport: number): Frame => ({
  src: srcMac, dst: dstMac, payload: { kind: 'ip', version: 4, src, dst, ttl: 64, l4: { proto: 'udp', sport, dport } },
});
const arp = (srcMac: number): Frame => ({ src: srcMac, dst: 0xffffffffffff, payload: { kind: 'arp', op: 'request', senderMac: srcMac, senderIp: ME, targetMac: 0, targetIp: PEER } });

const hop = (sim: Sim, frame: Frame, fw = firewall()): PortHop => ({ fw, sim, node: 'instance:a', port: 'a/eth0', frame, meta: META });

describe('port.security (checkPortSecurity)', () => {
  it('a spoofed source MAC stops the frame, reported at port.security', () => {
    const f = fakeSim();
    expect(checkPortSecurity(hop(f.sim, udp(OTHER_MAC, ROUTER_MAC, ME, PEER, 40000, 53))).next).toBe(false);
    expect(f.facts[0]).toMatchObject({ kind: 'blocked', outcome: { stage: 'port.security', node: 'instance:a' } });
    expect(f.traced).toEqual([{ stage: 'port.security', action: 'drop' }]);
  });

  it('under --explain all the drop is reported and lifted: next', () => {
    const f = fakeSim(true);
    expect(checkPortSecurity(hop(f.sim, udp(OTHER_MAC, ROUTER_MAC, ME, PEER, 40000, 53)))).toBe(NEXT);
    expect(f.traced).toEqual([{ stage: 'port.security', action: 'drop-lifted' }]);
  });

  it('default: the port\'s own MAC and address — next, nothing traced', () => {
    const f = fakeSim();
    expect(checkPortSecurity(hop(f.sim, udp(PORT_MAC, ROUTER_MAC, ME, PEER, 40000, 53)))).toBe(NEXT);
    expect(f.traced).toEqual([]);
  });
});

describe('sg.egress (filterEgress)', () => {
  it('a rule allows DNS out: next, traced allow', () => {
    const f = fakeSim();
    expect(filterEgress(hop(f.sim, udp(PORT_MAC, ROUTER_MAC, ME, PEER, 40000, 53)))).toBe(NEXT);
    expect(f.traced).toEqual([{ stage: 'sg.egress', action: 'allow' }]);
  });

  it('no rule allows UDP/54: stops, reported at sg.egress', () => {
    const f = fakeSim();
    expect(filterEgress(hop(f.sim, udp(PORT_MAC, ROUTER_MAC, ME, PEER, 40000, 54))).next).toBe(false);
    expect(f.facts[0]).toMatchObject({ kind: 'blocked', outcome: { stage: 'sg.egress' } });
  });

  it('default: ARP needs no rule', () => {
    const f = fakeSim();
    expect(filterEgress(hop(f.sim, arp(PORT_MAC)))).toBe(NEXT);
    expect(f.traced).toEqual([]);
  });
});

describe('sg.ingress (filterIngress)', () => {
  it('a reply of a flow allowed out comes back in (conntrack)', () => {
    const f = fakeSim();
    const fw = firewall();
    expect(filterEgress(hop(f.sim, udp(PORT_MAC, ROUTER_MAC, ME, PEER, 40000, 53), fw))).toBe(NEXT);
    expect(filterIngress(hop(f.sim, udp(ROUTER_MAC, PORT_MAC, PEER, ME, 53, 40000), fw))).toBe(NEXT);
    expect(f.traced.at(-1)).toEqual({ stage: 'sg.ingress', action: 'allow' });
  });

  it('a new flow in with no ingress rule stops', () => {
    const f = fakeSim();
    expect(filterIngress(hop(f.sim, udp(ROUTER_MAC, PORT_MAC, PEER, ME, 40000, 22))).next).toBe(false);
    expect(f.facts[0]).toMatchObject({ kind: 'blocked', outcome: { stage: 'sg.ingress' } });
  });

  it('a flooded copy of a frame for another MAC stops, ignored and not reported', () => {
    const f = fakeSim();
    expect(filterIngress(hop(f.sim, udp(ROUTER_MAC, OTHER_MAC, PEER, ME, 40000, 22))).next).toBe(false);
    expect(f.facts).toEqual([]);
    expect(f.traced).toEqual([{ stage: 'host.receive', action: 'ignore' }]);
  });
});

const ME6 = (0xfe800000n << 96n) | 0x10n;
const PEER6 = (0xfe800000n << 96n) | 0x20n;
const icmp6 = (srcMac: number, dstMac: number, src: bigint, dst: bigint, type: number): Frame => ({
  src: srcMac, dst: dstMac, payload: { kind: 'ip', version: 6, src, dst, ttl: 255, l4: { proto: 'icmp', type, code: 0 } },
});

describe('ICMPv6 that passes without a rule (neutron.agent.firewall ICMPV6_ALLOWED_*_TYPES)', () => {
  // The port's group allows only UDP/53 out, so whatever passes here passes without a rule.
  it('MLD queries (130) and neighbour solicitations (135) and advertisements (136) pass both ways, untraced', () => {
    for (const type of [130, 135, 136]) {
      const f = fakeSim();
      expect(filterEgress(hop(f.sim, icmp6(PORT_MAC, ROUTER_MAC, ME6, PEER6, type)))).toBe(NEXT);
      expect(filterIngress(hop(f.sim, icmp6(ROUTER_MAC, PORT_MAC, PEER6, ME6, type)))).toBe(NEXT);
      expect(f.traced).toEqual([]);
    }
  });

  it('a router solicitation (133) passes out but needs a rule in; a router advertisement (134) needs a rule out (a rogue router)', () => {
    const f = fakeSim();
    expect(filterEgress(hop(f.sim, icmp6(PORT_MAC, ROUTER_MAC, ME6, PEER6, 133)))).toBe(NEXT);
    expect(filterIngress(hop(f.sim, icmp6(ROUTER_MAC, PORT_MAC, PEER6, ME6, 133))).next).toBe(false);
    expect(filterEgress(hop(f.sim, icmp6(PORT_MAC, ROUTER_MAC, ME6, PEER6, 134))).next).toBe(false);
    expect(f.traced).toEqual([{ stage: 'sg.ingress', action: 'drop' }, { stage: 'sg.egress', action: 'drop' }]);
  });

  it('ICMPv4 with those type numbers gets no exemption', () => {
    const f = fakeSim();
    const v4 = (type: number): Frame => ({ src: PORT_MAC, dst: ROUTER_MAC, payload: { kind: 'ip', version: 4, src: ME, dst: PEER, ttl: 64, l4: { proto: 'icmp', type, code: 0, id: 1, seq: 1 } } });
    expect(filterEgress(hop(f.sim, v4(135))).next).toBe(false);
    expect(filterEgress(hop(f.sim, v4(130))).next).toBe(false);
  });
});

describe('what the stages say', () => {
  it('port.security reports the port and traces why', () => {
    const f = fakeSim();
    checkPortSecurity(hop(f.sim, udp(OTHER_MAC, ROUTER_MAC, ME, PEER, 40000, 53)));
    expect(f.facts).toEqual([{ kind: 'blocked', outcome: { kind: 'dropped', node: 'instance:a', stage: 'port.security', reason: expect.stringMatching(/^port security on a\/eth0: .*fa:16:3e:00:00:99/) } }]);
    expect(f.details).toEqual([{ reason: expect.stringContaining('fa:16:3e:00:00:99') }]);
  });

  it('a frame for another MAC is ignored at host.receive with that MAC named', () => {
    const f = fakeSim();
    filterIngress(hop(f.sim, udp(ROUTER_MAC, OTHER_MAC, PEER, ME, 40000, 22)));
    expect(f.details).toEqual([{ reason: expect.stringContaining('fa:16:3e:00:00:99') }]);
  });

  it('a frame for an allowed address pair\'s MAC, or for a multicast MAC, is the port\'s: it meets the rules', () => {
    for (const dst of [PAIR_MAC, 0x333300000001]) {
      const f = fakeSim();
      expect(filterIngress(hop(f.sim, udp(ROUTER_MAC, dst, PEER, ME, 40000, 22))).next).toBe(false);
      expect(f.traced).toEqual([{ stage: 'sg.ingress', action: 'drop' }]);
    }
  });

  it('the stops carry distinct, non-empty reasons', () => {
    const f = fakeSim();
    const reasons = [
      checkPortSecurity(hop(f.sim, udp(OTHER_MAC, ROUTER_MAC, ME, PEER, 40000, 53))),
      filterEgress(hop(f.sim, udp(PORT_MAC, ROUTER_MAC, ME, PEER, 40000, 54))),
      filterIngress(hop(f.sim, udp(ROUTER_MAC, OTHER_MAC, PEER, ME, 40000, 22))),
    ].map((d) => (d.next ? '' : d.reason));
    expect(reasons.every((r) => /\S/.test(r))).toBe(true);
    expect(new Set(reasons).size).toBe(3);
  });
});

describe('PORT_OUT_PIPELINE and PORT_IN_PIPELINE', () => {
  it('end the host.out row of PIPELINE and start its host.in row (the host runs its port\'s filter)', () => {
    expect(PIPELINE['host.out'].slice(-PORT_OUT_PIPELINE.length)).toEqual(PORT_OUT_PIPELINE.map((s) => s.id));
    expect(PIPELINE['host.in'].slice(0, PORT_IN_PIPELINE.length)).toEqual(PORT_IN_PIPELINE.map((s) => s.id));
  });

  it('egress passes what every stage passed and drops what one stopped', () => {
    const f = fakeSim();
    const fw = firewall();
    expect(fw.egress(f.sim, 'instance:a', 'a/eth0', udp(PORT_MAC, ROUTER_MAC, ME, PEER, 40000, 53), META)).toBe(true);
    expect(fw.egress(f.sim, 'instance:a', 'a/eth0', udp(OTHER_MAC, ROUTER_MAC, ME, PEER, 40000, 53), META)).toBe(false);
    expect(fw.ingress(f.sim, 'instance:a', 'a/eth0', udp(ROUTER_MAC, PORT_MAC, PEER, ME, 53, 40000), META)).toBe(true);
  });
});

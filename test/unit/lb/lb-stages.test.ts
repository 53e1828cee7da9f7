/**
 * The load balancer node's stages one at a time (src/lb/lb-stages.ts), each with a tiny
 * context: an LbNode on a literal load balancer (proxy mode, tcp/80 → two members), a fake Sim
 * that records traces and facts, and an arrival. Each stage's default is NEXT; a stop names its
 * reason; LB_PIPELINE is the load-balancer row of PIPELINE and runs them in order.
 */
import { describe, expect, it } from 'vitest';
import type { Mac } from '../../../src/address/mac.js';
import type { FrameMeta, Sim } from '../../../src/engine/node-contract.js';
import { LB_PIPELINE, PIPELINE } from '../../../src/engine/pipeline.js';
import { Balancer } from '../../../src/lb/balancer.js';
import { LbNode } from '../../../src/lb/lb-node.js';
import { acceptForVip, answerIcmp, countHealthAnswer, proxyToMember, returnToClient, selectForClient, type LbArrival } from '../../../src/lb/lb-stages.js';
import { TCP_ACK, TCP_SYN, type Frame, type IpPacket } from '../../../src/packet/frame.js';
import { prefixValue } from '../../../src/packet/ip-value.js';
import type { LoadBalancer } from '../../../src/topology/model.js';
import type { VerdictFact } from '../../../src/trace/verdict-reducer.js';
import { NEXT } from '../../../src/util/stages.js';

const CLIENT = 0x0a000005; // 10.0.0.5
const VIP = 0x0a000064; // 10.0.0.100
const M0 = 0x0a00000a; // 10.0.0.10
const VIP_MAC: Mac = 0xfa163e000064;
const CLIENT_MAC: Mac = 0xfa163e000005;
const FORWARD: FrameMeta = { probe: 1, dir: 'forward' };

function node(): LbNode {
  const lb: LoadBalancer = {
    name: 'lb', project: 'admin', subnet: 'web', vip: { text: '10.0.0.100', ip: { version: 4, value: BigInt(VIP) } }, vipPort: 'lb/vip', mode: 'proxy',
    listeners: [{ protocol: 'tcp', port: 80, pool: 'p' }],
    pools: [{ name: 'p', algorithm: 'round_robin', healthMonitor: null, members: [0, 1].map((i) => ({ instance: `m${i}`, port: `m${i}/eth0`, address: { text: `10.0.0.${10 + i}`, ip: { version: 4 as const, value: BigInt(M0 + i) } }, protocolPort: 8080, weight: 1, adminStateUp: true })) }],
  };
  const balancer = new Balancer(lb, VIP, (m) => Number(m.address.ip.value));
  return new LbNode('lb:lb', { port: 'lb/vip', mac: VIP_MAC, addrs: [{ ip: VIP, prefix: prefixValue(VIP, 24) }] }, balancer, LB_PIPELINE);
}

function fakeSim() {
  const traced: { stage: string; action: string; what: unknown; detail: unknown }[] = [];
  const facts: VerdictFact[] = [];
  const sim = {
    now: 0, recording: true, explainAll: false,
    trace: (_n: string, _p: string | null, stage: string, action: string, what: unknown, _m: FrameMeta, detail: unknown = {}) => { traced.push({ stage, action, what, detail }); },
    report: (_m: FrameMeta, f: VerdictFact) => { facts.push(f); },
    transmit: () => undefined, setTimer: () => 0, cancelTimer: () => undefined,
  } as unknown as Sim;
  return { sim, traced, facts };
}

/** An arrival at the VIP port, with what the node sends recorded instead of routed. */
function arrival(sim: Sim, frame: Frame, lb = node()): { h: LbArrival; sent: IpPacket[] } {
  const sent: IpPacket[] = [];
  lb.send = (_s, p) => { sent.push(p); };
  const h: LbArrival = { lb, sim, meta: FORWARD, node: lb.id, port: 'lb/vip', iface: lb.iface, neighbors: lb.neighbors, frame, packet: frame.payload.kind === 'ip' ? frame.payload : undefined, entry: undefined, fresh: false };
  return { h, sent };
}

const tcp = (src: number, dst: number, sport: number, dport: number, flags = TCP_SYN): IpPacket => ({ kind: 'ip', version: 4, src, dst, ttl: 64, l4: { proto: 'tcp', sport, dport, flags } });
const toVip = (p: IpPacket, dst: Mac = VIP_MAC): Frame => ({ src: CLIENT_MAC, dst, payload: p });

describe('host.receive (acceptForVip)', () => {
  it('an IP packet for the VIP, to its MAC, goes on with the packet left for the next stages', () => {
    const f = fakeSim();
    const p = tcp(CLIENT, VIP, 40001, 80);
    const { h } = arrival(f.sim, toVip(p));
    h.packet = undefined;
    expect(acceptForVip(h)).toBe(NEXT);
    expect(h.packet).toBe(p);
  });

  it('stops, untraced, a packet for another address or another MAC', () => {
    const f = fakeSim();
    for (const frame of [toVip(tcp(CLIENT, VIP + 1, 40001, 80)), toVip(tcp(CLIENT, VIP, 40001, 80), CLIENT_MAC)]) {
      const d = acceptForVip(arrival(f.sim, frame).h);
      expect(d.next).toBe(false);
    }
    expect(f.traced).toEqual([]);
  });
});

describe('lb.health (countHealthAnswer)', () => {
  it('default: a client\'s packet is no answer to a check — next', () => {
    const f = fakeSim();
    expect(countHealthAnswer(arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 80))).h)).toBe(NEXT);
  });
});

describe('host.receive (answerIcmp)', () => {
  it('an echo request to the VIP is answered and delivered; TCP is next', () => {
    const f = fakeSim();
    const echo: IpPacket = { kind: 'ip', version: 4, src: CLIENT, dst: VIP, ttl: 64, l4: { proto: 'icmp', type: 8, code: 0, id: 1, seq: 1 } };
    const { h, sent } = arrival(f.sim, toVip(echo));
    expect(answerIcmp(h).next).toBe(false);
    expect(f.traced.map((t) => `${t.stage} ${t.action}`)).toEqual(['host.receive accept']);
    expect(f.facts.map((x) => x.kind)).toEqual(['observed', 'outcome']);
    expect(sent.map((p) => [p.src, p.dst, p.l4.proto === 'icmp' && p.l4.type])).toEqual([[VIP, CLIENT, 0]]);
    expect(answerIcmp(arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 80))).h)).toBe(NEXT);
  });
});

describe('lb.select (selectForClient) and nat.dnat (proxyToMember, returnToClient)', () => {
  it('a new connection gets a member, is proxied from the VIP, and the member\'s reply goes back to the client', () => {
    const f = fakeSim();
    const lb = node();
    const syn = tcp(CLIENT, VIP, 40001, 80);
    const { h, sent } = arrival(f.sim, toVip(syn), lb);
    expect(selectForClient(h)).toBe(NEXT);
    expect(h.fresh).toBe(true);
    expect(h.entry?.member.member.instance).toBe('m0');
    expect(proxyToMember(h).next).toBe(false);
    expect(sent).toHaveLength(1);
    const out = sent[0]!;
    expect([out.src, out.dst, out.l4.proto === 'tcp' && out.l4.dport]).toEqual([VIP, M0, 8080]);
    expect(f.traced.map((t) => `${t.stage} ${t.action}`)).toEqual(['lb.select select', 'nat.dnat dnat']);
    expect(f.facts.map((x) => x.kind)).toEqual(['balanced', 'translated']);

    // The SYN again (a retransmission): the same member, no second choice or translation fact.
    const again = arrival(f.sim, toVip(syn), lb);
    expect(selectForClient(again.h)).toBe(NEXT);
    expect(again.h.fresh).toBe(false);
    expect(again.h.entry).toBe(h.entry);
    proxyToMember(again.h);
    expect(f.facts.map((x) => x.kind)).toEqual(['balanced', 'translated']);

    // The member's SYN-ACK to the node's port: back to the client from the VIP:80.
    const lbPort = out.l4.proto === 'tcp' ? out.l4.sport : 0;
    const back = arrival(f.sim, toVip(tcp(M0, VIP, 8080, lbPort, TCP_SYN | TCP_ACK)), lb);
    expect(returnToClient(back.h).next).toBe(false);
    expect(back.sent.map((p) => [p.src, p.dst, p.l4.proto === 'tcp' && p.l4.sport, p.l4.proto === 'tcp' && p.l4.dport])).toEqual([[VIP, CLIENT, 80, 40001]]);
  });

  it('default of nat.dnat (returnToClient): a client\'s packet is no member reply — next', () => {
    const f = fakeSim();
    expect(returnToClient(arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 80))).h)).toBe(NEXT);
  });

  it('a port with no listener is refused there: traced no-listener, refused, a RST back', () => {
    const f = fakeSim();
    const { h, sent } = arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 443)));
    expect(selectForClient(h).next).toBe(false);
    expect(f.traced.map((t) => `${t.stage} ${t.action}`)).toEqual(['lb.select no-listener']);
    expect(f.facts).toMatchObject([{ kind: 'outcome', outcome: { kind: 'refused', stage: 'lb.select' } }]);
    expect(sent).toHaveLength(1);
    expect(h.entry).toBeUndefined();
  });
});

describe('LB_PIPELINE', () => {
  it('is the load-balancer row of PIPELINE, in order', () => {
    expect(LB_PIPELINE.map((s) => s.id)).toEqual(PIPELINE['load-balancer']);
    expect(PIPELINE['load-balancer']).toEqual(['arp', 'nd', 'host.receive', 'lb.health', 'host.receive', 'nat.dnat', 'lb.select', 'nat.dnat']);
  });

  it('LbNode.receive runs it: a SYN to the VIP is proxied to a member', () => {
    const f = fakeSim();
    const lb = node();
    const sent: IpPacket[] = [];
    lb.send = (_s, p) => { sent.push(p); };
    lb.receive(f.sim, 'lb/vip', toVip(tcp(CLIENT, VIP, 40002, 80)), FORWARD);
    expect(sent.map((p) => p.dst)).toEqual([M0]);
  });
});

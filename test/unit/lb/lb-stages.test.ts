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
import { TCP_ACK, TCP_RST, TCP_SYN, type Frame, type IpPacket } from '../../../src/packet/frame.js';
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

function node(mode: LoadBalancer['mode'] = 'proxy', adminStateUp = true): LbNode {
  const lb: LoadBalancer = {
    name: 'lb', project: 'admin', subnet: 'web', vip: { text: '10.0.0.100', ip: { version: 4, value: BigInt(VIP) } }, vipPort: 'lb/vip', mode,
    listeners: [{ protocol: 'tcp', port: 80, pool: 'p' }],
    pools: [{ name: 'p', algorithm: 'round_robin', healthMonitor: null, members: [0, 1].map((i) => ({ instance: `m${i}`, port: `m${i}/eth0`, address: { text: `10.0.0.${10 + i}`, ip: { version: 4 as const, value: BigInt(M0 + i) } }, protocolPort: 8080, weight: 1, adminStateUp })) }],
  };
  const balancer = new Balancer(lb, VIP, (m) => Number(m.address.ip.value));
  return new LbNode('lb:lb', { port: 'lb/vip', mac: VIP_MAC, addrs: [{ ip: VIP, prefix: prefixValue(VIP, 24) }] }, balancer, LB_PIPELINE);
}

function fakeSim(recording = true) {
  const traced: { stage: string; action: string; what: unknown; detail: unknown }[] = [];
  const facts: VerdictFact[] = [];
  const sim = {
    now: 0, recording, explainAll: false,
    trace: (_n: string, _p: string | null, stage: string, action: string, what: unknown, _m: FrameMeta, detail: unknown = {}) => { traced.push({ stage, action, what, detail }); },
    report: (_m: FrameMeta, f: VerdictFact) => { facts.push(f); },
    transmit: () => undefined, setTimer: () => 0, cancelTimer: () => undefined,
  } as unknown as Sim;
  return { sim, traced, facts };
}

/** An arrival at the VIP port, with what the node sends recorded instead of routed. */
function arrival(sim: Sim, frame: Frame, lb = node(), meta = FORWARD): { h: LbArrival; sent: IpPacket[]; metas: FrameMeta[] } {
  const sent: IpPacket[] = [];
  const metas: FrameMeta[] = [];
  lb.send = (_s, p, m) => { sent.push(p); metas.push(m); };
  const h: LbArrival = { lb, sim, meta, node: lb.id, port: 'lb/vip', iface: lb.iface, neighbors: lb.neighbors, frame, packet: frame.payload.kind === 'ip' ? frame.payload : undefined, entry: undefined, fresh: false };
  return { h, sent, metas };
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

const REPLY: FrameMeta = { probe: 1, dir: 'reply' };
const icmpTo = (type: number, quoted?: IpPacket): IpPacket => ({ kind: 'ip', version: 4, src: CLIENT, dst: VIP, ttl: 64, l4: quoted ? { proto: 'icmp', type, code: 3, quoted } : { proto: 'icmp', type, code: 0, id: 1, seq: 1 } });

describe('answerIcmp: what the VIP answers, and for whom', () => {
  it('an echo request is traced with its reason, delivered at the VIP, and the echo reply goes back as the probe\'s reply', () => {
    const f = fakeSim();
    const { h, metas } = arrival(f.sim, toVip(icmpTo(8)));
    answerIcmp(h);
    expect(f.traced).toEqual([{ stage: 'host.receive', action: 'accept', what: h.packet, detail: { reason: expect.stringMatching(/\S/) } }]);
    expect(f.facts).toEqual([{ kind: 'observed', packet: h.packet }, { kind: 'outcome', outcome: { kind: 'delivered', node: 'lb:lb', stage: 'host.receive', reason: expect.stringMatching(/\S/) } }]);
    expect(metas).toEqual([{ probe: 1, dir: 'reply' }]);
  });

  it('an echo request travelling as a reply is answered but decides no verdict', () => {
    const f = fakeSim();
    const { h, sent } = arrival(f.sim, toVip(icmpTo(8)), node(), REPLY);
    expect(answerIcmp(h).next).toBe(false);
    expect(sent).toHaveLength(1);
    expect(f.facts).toEqual([]);
  });

  it('an echo reply or an ICMP error to the VIP is taken silently: no trace, no fact, nothing sent', () => {
    for (const p of [icmpTo(0), icmpTo(3, tcp(VIP, CLIENT, 80, 40001))]) {
      const f = fakeSim();
      const { h, sent } = arrival(f.sim, toVip(p));
      expect(answerIcmp(h).next).toBe(false);
      expect([f.traced, f.facts, sent]).toEqual([[], [], []]);
    }
  });
});

describe('selectForClient and proxyToMember: defaults, refusals and details', () => {
  it('default: ICMP is no client connection — next, nothing chosen or traced', () => {
    const f = fakeSim();
    const { h } = arrival(f.sim, toVip(icmpTo(8)));
    expect(selectForClient(h)).toBe(NEXT);
    expect(proxyToMember(h)).toBe(NEXT);
    expect([f.traced, f.facts, h.entry]).toEqual([[], [], undefined]);
  });

  it('default of proxyToMember: no connection chosen — next, nothing sent', () => {
    const f = fakeSim();
    const { h, sent } = arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 80)));
    expect(proxyToMember(h)).toBe(NEXT);
    expect(sent).toEqual([]);
  });

  it('no listener: the trace and the refusal name the protocol and port (and the balancer); the RST goes back as the probe\'s reply', () => {
    const f = fakeSim();
    const { h, metas } = arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 443)));
    selectForClient(h);
    expect(f.traced[0]!.detail).toEqual({ reason: expect.stringContaining('tcp/443') });
    expect(f.facts).toEqual([{ kind: 'outcome', outcome: { kind: 'refused', node: 'lb:lb', stage: 'lb.select', reason: expect.stringMatching(/lb.*tcp\/443/) } }]);
    expect(metas).toEqual([{ probe: 1, dir: 'reply' }]);
  });

  it('no listener for a packet travelling as a reply: refused without a verdict fact', () => {
    const f = fakeSim();
    const { h, sent } = arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 443)), node(), REPLY);
    expect(selectForClient(h).next).toBe(false);
    expect(f.facts).toEqual([]);
    expect(sent).toHaveLength(1);
  });

  it('no listener for a RST: nothing is sent back (no RST answers a RST)', () => {
    const f = fakeSim();
    const { h, sent } = arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 443, TCP_RST)));
    expect(selectForClient(h).next).toBe(false);
    expect(sent).toEqual([]);
  });

  it('no healthy member (every member administratively down): rejected and refused with a RST back, no connection kept', () => {
    const f = fakeSim();
    const { h, sent, metas } = arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 80)), node('proxy', false));
    const d = selectForClient(h);
    expect(d.next).toBe(false);
    expect(h.entry).toBeUndefined();
    expect(f.traced.map((t) => `${t.stage} ${t.action}`)).toEqual(['lb.select reject']);
    expect(f.facts).toMatchObject([{ kind: 'outcome', outcome: { kind: 'refused', stage: 'lb.select' } }]);
    expect(sent.map((p) => p.l4.proto === 'tcp' && p.l4.flags & TCP_RST)).toEqual([TCP_RST]);
    expect(metas).toEqual([{ probe: 1, dir: 'reply' }]);
    // A RST finds no healthy member either, and gets no answer.
    const rst = arrival(f.sim, toVip(tcp(CLIENT, VIP, 40002, 80, TCP_RST)), node('proxy', false));
    expect(selectForClient(rst.h).next).toBe(false);
    expect(rst.sent).toEqual([]);
  });

  it('nat.dnat\'s detail: the client\'s and the member\'s sides, and why — proxy mode, or the hairpin of a dnat balancer', () => {
    const whys: unknown[] = [];
    for (const mode of ['proxy', 'dnat'] as const) {
      const f = fakeSim();
      const { h, sent } = arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 80)), node(mode));
      selectForClient(h);
      proxyToMember(h);
      const lbPort = sent[0]!.l4.proto === 'tcp' ? sent[0]!.l4.sport : -1;
      const detail = f.traced[1]!.detail as { from: string; to: string; why: string };
      expect(detail).toEqual({ from: '10.0.0.5:40001 → 10.0.0.100:80', to: `10.0.0.100:${lbPort} → 10.0.0.10:8080`, why: expect.stringMatching(/\S/) });
      whys.push(detail.why);
    }
    expect(whys[0]).toMatch(/proxy/);
    expect(whys[1]).toMatch(/hairpin/);
  });

  it('a member\'s reply: traced as nat.dnat reverse with both sides when recording, and sent untraced when not', () => {
    for (const recording of [true, false]) {
      const f = fakeSim(recording);
      const lb = node();
      const { h, sent } = arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 80)), lb);
      selectForClient(h);
      proxyToMember(h);
      const lbPort = sent[0]!.l4.proto === 'tcp' ? sent[0]!.l4.sport : -1;
      f.traced.length = 0;
      const back = arrival(f.sim, toVip(tcp(M0, VIP, 8080, lbPort, TCP_SYN | TCP_ACK)), lb);
      expect(returnToClient(back.h).next).toBe(false);
      expect(back.sent).toHaveLength(1);
      expect(f.traced).toEqual(recording ? [{ stage: 'nat.dnat', action: 'reverse', what: back.sent[0], detail: { from: `10.0.0.10:8080`, to: `10.0.0.100:80`, why: expect.stringMatching(/\S/) } }] : []);
    }
  });
});

describe('every stop names its reason', () => {
  it('the stages\' stops carry distinct, non-empty reasons', () => {
    const f = fakeSim();
    const stops = [
      acceptForVip(arrival(f.sim, toVip(tcp(CLIENT, VIP + 1, 40001, 80))).h),
      answerIcmp(arrival(f.sim, toVip(icmpTo(8))).h),
      selectForClient(arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 443))).h),
      selectForClient(arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 80)), node('proxy', false)).h),
    ];
    const lb = node();
    const first = arrival(f.sim, toVip(tcp(CLIENT, VIP, 40001, 80)), lb);
    selectForClient(first.h);
    stops.push(proxyToMember(first.h));
    const lbPort = first.sent[0]!.l4.proto === 'tcp' ? first.sent[0]!.l4.sport : -1;
    stops.push(returnToClient(arrival(f.sim, toVip(tcp(M0, VIP, 8080, lbPort, TCP_SYN | TCP_ACK)), lb).h));
    const reasons = stops.map((d) => (d.next ? '' : d.reason));
    expect(reasons.every((r) => /\S/.test(r))).toBe(true);
    expect(new Set(reasons).size).toBe(reasons.length);
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

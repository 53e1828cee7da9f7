/**
 * The switch's stages one at a time (src/switching/switch-stages.ts), each with a tiny
 * context: a three-port switch, a fake Sim that records traces and transmissions, and a hop.
 * Each stage's default is NEXT; a stop names its reason; SWITCH_PIPELINE runs them in order.
 */
import { describe, expect, it } from 'vitest';
import { BROADCAST_MAC, type Mac } from '../../../src/address/mac.js';
import type { FrameMeta, Sim } from '../../../src/engine/node-contract.js';
import { PIPELINE, SWITCH_PIPELINE } from '../../../src/engine/pipeline.js';
import type { Frame } from '../../../src/packet/frame.js';
import { SwitchNode, type SwitchHop } from '../../../src/switching/switch.js';
import { answerArp, flood, forwardKnown, learnSource } from '../../../src/switching/switch-stages.js';
import { NEXT } from '../../../src/util/stages.js';

const META: FrameMeta = { probe: 1, dir: 'forward' };
const M1: Mac = 0xfa163e000001;
const M2: Mac = 0xfa163e000002;
const PORTS = ['p0', 'p1', 'p2'];

function fakeSim() {
  const traced: { port: string | null; stage: string; action: string; detail: unknown }[] = [];
  const sent: { port: string; frame: Frame }[] = [];
  const sim = {
    now: 0, recording: true, explainAll: false,
    trace: (_n: string, port: string | null, stage: string, action: string, _w: unknown, _m: FrameMeta, detail: unknown = {}) => { traced.push({ port, stage, action, detail }); },
    report: () => undefined,
    transmit: (_from: string, port: string, frame: Frame) => { sent.push({ port, frame }); },
    setTimer: () => 0, cancelTimer: () => undefined,
  } as unknown as Sim;
  return { sim, traced, sent };
}

const ip = (src: Mac, dst: Mac): Frame => ({ src, dst, payload: { kind: 'ip', version: 4, src: 0x0a000002, dst: 0x0a000003, ttl: 64, l4: { proto: 'udp', sport: 1, dport: 2 } } });
const arpRequest = (target: number): Frame => ({ src: M1, dst: BROADCAST_MAC, payload: { kind: 'arp', op: 'request', senderMac: M1, senderIp: 0x0a000002, targetMac: 0, targetIp: target } });

function hop(sim: Sim, frame: Frame, port = 'p0', sw = new SwitchNode('network:n', PORTS, SWITCH_PIPELINE)): SwitchHop {
  return { sw, sim, meta: META, port, frame };
}

describe('switch.learn (learnSource)', () => {
  it('learns a unicast source on the ingress port, traced once, then refreshed silently', () => {
    const f = fakeSim();
    const h = hop(f.sim, ip(M1, M2), 'p1');
    expect(learnSource(h)).toBe(NEXT);
    expect(h.sw.table.lookup(M1, 0)).toBe('p1');
    expect(learnSource(h)).toBe(NEXT);
    expect(f.traced.map((t) => t.stage)).toEqual(['switch.learn']);
  });

  it('default: a multicast source is not learnt', () => {
    const f = fakeSim();
    const h = hop(f.sim, ip(BROADCAST_MAC, M2));
    expect(learnSource(h)).toBe(NEXT);
    expect(h.sw.table.lookup(BROADCAST_MAC, 0)).toBeUndefined();
    expect(f.traced).toEqual([]);
  });
});

describe('arp (answerArp)', () => {
  it('a request for a known address is answered out of the ingress port and stops', () => {
    const f = fakeSim();
    const sw = new SwitchNode('network:n', PORTS, SWITCH_PIPELINE, new Map([[0x0a000003, M2]]));
    const d = answerArp(hop(f.sim, arpRequest(0x0a000003), 'p2', sw));
    expect(d.next).toBe(false);
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0]).toMatchObject({ port: 'p2', frame: { src: M2, dst: M1, payload: { op: 'reply', senderIp: 0x0a000003 } } });
    expect(f.traced[0]).toMatchObject({ stage: 'arp', action: 'proxy-reply' });
  });

  it('default: an unknown address, or no responder, goes on', () => {
    const f = fakeSim();
    expect(answerArp(hop(f.sim, arpRequest(0x0a000009)))).toBe(NEXT);
    expect(answerArp(hop(f.sim, ip(M1, M2)))).toBe(NEXT);
    expect(f.sent).toEqual([]);
  });

  it('default: an ARP reply, even about an address the responder knows, goes on (only requests are answered)', () => {
    const f = fakeSim();
    const sw = new SwitchNode('network:n', PORTS, SWITCH_PIPELINE, new Map([[0x0a000003, M2], [0x0a000002, M1]]));
    const reply: Frame = { src: M2, dst: M1, payload: { kind: 'arp', op: 'reply', senderMac: M2, senderIp: 0x0a000003, targetMac: M1, targetIp: 0x0a000002 } };
    expect(answerArp(hop(f.sim, reply, 'p1', sw))).toBe(NEXT);
    expect(f.sent).toEqual([]);
    expect(f.traced).toEqual([]);
  });
});

describe('switch.forward (forwardKnown)', () => {
  it('known unicast goes out of its port only', () => {
    const f = fakeSim();
    const h = hop(f.sim, ip(M1, M2), 'p0');
    h.sw.table.learn(M2, 'p2', 0);
    expect(forwardKnown(h).next).toBe(false);
    expect(f.sent.map((s) => s.port)).toEqual(['p2']);
    expect(f.traced[0]).toMatchObject({ port: 'p2', stage: 'switch.forward', action: 'forward', detail: { out: 'p2' } });
  });

  it('a destination behind the ingress port is filtered: nothing sent', () => {
    const f = fakeSim();
    const h = hop(f.sim, ip(M1, M2), 'p0');
    h.sw.table.learn(M2, 'p0', 0);
    expect(forwardKnown(h).next).toBe(false);
    expect(f.sent).toEqual([]);
    expect(f.traced[0]).toMatchObject({ stage: 'switch.forward', action: 'filter' });
  });

  it('default: unknown unicast and broadcast go on (to the flood)', () => {
    const f = fakeSim();
    expect(forwardKnown(hop(f.sim, ip(M1, M2)))).toBe(NEXT);
    expect(forwardKnown(hop(f.sim, ip(M1, BROADCAST_MAC)))).toBe(NEXT);
    expect(f.sent).toEqual([]);
  });
});

describe('switch.flood (flood)', () => {
  it('goes out of every port but the ingress one, in attachment order', () => {
    const f = fakeSim();
    expect(flood(hop(f.sim, ip(M1, BROADCAST_MAC), 'p1')).next).toBe(false);
    expect(f.sent.map((s) => s.port)).toEqual(['p0', 'p2']);
    expect(f.traced[0]).toMatchObject({ stage: 'switch.flood', detail: { reason: 'broadcast', out: ['p0', 'p2'] } });
  });
});

describe('SWITCH_PIPELINE', () => {
  it('is the switch row of PIPELINE, in order', () => {
    expect(SWITCH_PIPELINE.map((s) => s.id)).toEqual(PIPELINE.switch);
    expect(PIPELINE.switch).toEqual(['switch.learn', 'arp', 'switch.forward', 'switch.flood']);
  });

  it('a receive runs the stages: learn, then flood an unknown destination', () => {
    const f = fakeSim();
    const sw = new SwitchNode('network:n', PORTS, SWITCH_PIPELINE);
    sw.receive(f.sim, 'p0', ip(M1, M2), META);
    expect(f.traced.map((t) => t.stage)).toEqual(['switch.learn', 'switch.flood']);
    expect(f.sent.map((s) => s.port)).toEqual(['p1', 'p2']);
  });
});

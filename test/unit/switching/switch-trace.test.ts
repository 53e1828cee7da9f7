/**
 * What the switch's stages (src/switching/switch-stages.ts) put in the trace, beyond the
 * decisions switch-stages.test.ts checks: a learn names the MAC and port (and the old port of a
 * move, and is silent on a refresh), arp_responder's reply is a full ARP reply naming why, a
 * flood names broadcast, multicast or unknown unicast, a forward names the MAC and port out.
 * With recording off the same frames go out.
 */
import { describe, expect, it } from 'vitest';
import { BROADCAST_MAC, type Mac } from '../../../src/address/mac.js';
import type { FrameMeta, Sim } from '../../../src/engine/node-contract.js';
import { SWITCH_PIPELINE } from '../../../src/engine/pipeline.js';
import type { Frame } from '../../../src/packet/frame.js';
import { MAC_AGEING_US } from '../../../src/switching/mac-table.js';
import { SwitchNode, type SwitchHop } from '../../../src/switching/switch.js';
import { answerArp, flood, forwardKnown, learnSource } from '../../../src/switching/switch-stages.js';
import { NEXT } from '../../../src/util/stages.js';

const META: FrameMeta = { probe: 1, dir: 'forward' };
const M1: Mac = 0xfa163e000001;
const M2: Mac = 0xfa163e000002;
const MULTICAST: Mac = 0x333300000001;
const PORTS = ['p0', 'p1', 'p2'];

function fakeSim(recording = true) {
  const traced: { node: string; port: string | null; stage: string; action: string; what: unknown; detail: unknown }[] = [];
  const sent: { from: string; port: string; frame: Frame; meta: FrameMeta }[] = [];
  const sim = {
    now: 0, recording, explainAll: false,
    trace: (node: string, port: string | null, stage: string, action: string, what: unknown, _m: FrameMeta, detail: unknown = {}) => { if (recording) traced.push({ node, port, stage, action, what, detail }); }, // as Simulator.trace: nothing when not recording
    report: () => undefined,
    transmit: (from: string, port: string, frame: Frame, meta: FrameMeta) => { sent.push({ from, port, frame, meta }); },
    setTimer: () => 0, cancelTimer: () => undefined,
  } as unknown as Sim & { now: number };
  return { sim, traced, sent };
}

const ip = (src: Mac, dst: Mac): Frame => ({ src, dst, payload: { kind: 'ip', version: 4, src: 0x0a000002, dst: 0x0a000003, ttl: 64, l4: { proto: 'udp', sport: 1, dport: 2 } } });
const arp = (op: 'request' | 'reply', target: number): Frame => ({ src: M1, dst: BROADCAST_MAC, payload: { kind: 'arp', op, senderMac: M1, senderIp: 0x0a000002, targetMac: 0, targetIp: target } });
const hop = (sim: Sim, frame: Frame, port: string, sw: SwitchNode): SwitchHop => ({ sw, sim, meta: META, port, frame });
const node = (responder: [number, Mac][] = []) => new SwitchNode('network:n', PORTS, SWITCH_PIPELINE, new Map(responder));

describe('switch.learn in the trace', () => {
  it('a new MAC: learned, naming the MAC and the port, at the switch and ingress port', () => {
    const f = fakeSim();
    learnSource(hop(f.sim, ip(M1, M2), 'p1', node()));
    expect(f.traced).toEqual([{ node: 'network:n', port: 'p1', stage: 'switch.learn', action: 'learned', what: ip(M1, M2), detail: { mac: 'fa:16:3e:00:00:01', port: 'p1' } }]);
  });

  it('a MAC seen on another port: moved, naming the port it was on', () => {
    const f = fakeSim();
    const sw = node();
    learnSource(hop(f.sim, ip(M1, M2), 'p1', sw));
    learnSource(hop(f.sim, ip(M1, M2), 'p2', sw));
    expect(f.traced[1]).toMatchObject({ port: 'p2', action: 'moved', detail: { mac: 'fa:16:3e:00:00:01', port: 'p2', from: 'p1' } });
    expect(sw.table.lookup(M1, 0)).toBe('p2');
  });

  it('a MAC seen again after ageing out is learned afresh (no `from`)', () => {
    const f = fakeSim();
    const sw = node();
    learnSource(hop(f.sim, ip(M1, M2), 'p1', sw));
    f.sim.now = MAC_AGEING_US + 1;
    learnSource(hop(f.sim, ip(M1, M2), 'p2', sw));
    expect(f.traced[1]).toMatchObject({ action: 'learned', detail: { mac: 'fa:16:3e:00:00:01', port: 'p2' } });
    expect(f.traced[1]!.detail).not.toHaveProperty('from');
  });
});

describe('arp_responder', () => {
  it('answers a request with an ARP reply from the owner\'s MAC to the asker, traced as a proxy reply with its reason', () => {
    const f = fakeSim();
    const d = answerArp(hop(f.sim, arp('request', 0x0a000003), 'p1', node([[0x0a000003, M2]])));
    const reply: Frame = { src: M2, dst: M1, payload: { kind: 'arp', op: 'reply', senderMac: M2, senderIp: 0x0a000003, targetMac: M1, targetIp: 0x0a000002 } };
    expect(d).toEqual({ next: false, reason: 'ARP request answered by arp_responder' });
    expect(f.sent).toEqual([{ from: 'network:n', port: 'p1', frame: reply, meta: META }]);
    expect(f.traced).toEqual([{ node: 'network:n', port: 'p1', stage: 'arp', action: 'proxy-reply', what: reply, detail: { reason: 'arp_responder knows 10.0.0.3' } }]);
  });

  it('leaves an ARP reply alone, even for an address it knows', () => {
    const f = fakeSim();
    expect(answerArp(hop(f.sim, arp('reply', 0x0a000003), 'p1', node([[0x0a000003, M2]])))).toBe(NEXT);
    expect(f.sent).toEqual([]);
  });

  it('a request for an unknown address is flooded like any broadcast', () => {
    const f = fakeSim();
    node([[0x0a000003, M2]]).receive(f.sim, 'p0', arp('request', 0x0a000009), META);
    expect(f.sent.map((s) => s.port)).toEqual(['p1', 'p2']);
    expect(f.traced.map((t) => t.stage)).toEqual(['switch.learn', 'switch.flood']);
  });
});

describe('switch.forward and switch.flood in the trace', () => {
  it('a forward is traced at the port out, naming the MAC and the port; the filter at the ingress port with its reason', () => {
    const f = fakeSim();
    const sw = node();
    sw.table.learn(M2, 'p2', 0);
    expect(forwardKnown(hop(f.sim, ip(M1, M2), 'p0', sw))).toEqual({ next: false, reason: 'forwarded out of the port the destination was learnt on' });
    sw.table.learn(M2, 'p0', 0);
    expect(forwardKnown(hop(f.sim, ip(M1, M2), 'p0', sw))).toEqual({ next: false, reason: 'destination is on the ingress port: filtered' });
    expect(f.traced).toEqual([
      { node: 'network:n', port: 'p2', stage: 'switch.forward', action: 'forward', what: ip(M1, M2), detail: { mac: 'fa:16:3e:00:00:02', out: 'p2' } },
      { node: 'network:n', port: 'p0', stage: 'switch.forward', action: 'filter', what: ip(M1, M2), detail: { reason: 'destination is on the ingress port' } },
    ]);
    expect(f.sent.map((s) => s.port)).toEqual(['p2']);
  });

  it('a forward\'s detail is the same for the same MAC and port, another for another port', () => {
    const sw = node();
    const a = sw.forwardDetail(M2, 'p2');
    expect(sw.forwardDetail(M2, 'p2')).toBe(a);
    expect(sw.forwardDetail(M2, 'p1')).toEqual({ mac: 'fa:16:3e:00:00:02', out: 'p1' });
  });

  it('a flood names why: broadcast, multicast, unknown unicast', () => {
    const f = fakeSim();
    const sw = node();
    expect(flood(hop(f.sim, ip(M1, BROADCAST_MAC), 'p0', sw))).toEqual({ next: false, reason: 'flooded out of every other port' });
    flood(hop(f.sim, ip(M1, MULTICAST), 'p0', sw));
    flood(hop(f.sim, ip(M1, M2), 'p2', sw));
    expect(f.traced.map((t) => [t.port, t.detail])).toEqual([
      ['p0', { reason: 'broadcast', out: ['p1', 'p2'] }],
      ['p0', { reason: 'multicast', out: ['p1', 'p2'] }],
      ['p2', { reason: 'unknown unicast', out: ['p0', 'p1'] }],
    ]);
  });

  it('a multicast destination is flooded even when a frame once came from that MAC', () => {
    const f = fakeSim();
    const sw = node();
    sw.receive(f.sim, 'p1', ip(MULTICAST, M2), META); // a multicast source is never learnt
    f.sent.length = 0;
    expect(forwardKnown(hop(f.sim, ip(M1, MULTICAST), 'p0', sw))).toBe(NEXT);
    expect(f.sent).toEqual([]);
  });
});

describe('recording off', () => {
  // Simulator.trace drops events itself when not recording; the stages' own checks only save work.
  it('the same frames go out: no decision depends on recording', () => {
    const on = fakeSim(true);
    const off = fakeSim(false);
    for (const f of [on, off]) {
      const sw = node([[0x0a000003, M2]]);
      sw.receive(f.sim, 'p0', ip(M1, M2), META); // learn M1, flood
      sw.receive(f.sim, 'p1', ip(M2, M1), META); // learn M2, forward to p0
      sw.receive(f.sim, 'p0', ip(M1, M1), META); // filtered
      sw.receive(f.sim, 'p2', arp('request', 0x0a000003), META); // answered
    }
    expect(off.sent).toEqual(on.sent);
    expect(on.sent.map((s) => s.port)).toEqual(['p1', 'p2', 'p0', 'p2']);
  });
});

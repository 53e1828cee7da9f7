/**
 * HostNode's sending side and bookkeeping (src/engine/host.ts), with a tiny fake simulator: a
 * probe to the host's own address over loopback (delivered or refused, with its reason), no
 * route and no source address of the family (each outcome's reason), the route taken and its
 * next hop, the ephemeral port range wrapping, a next hop that never answers (ARP or neighbour
 * solicitation), a reply with no route back, and which ICMP errors answer a flow it opened.
 * From npm run mutate's survivors.
 */
import { describe, expect, it } from 'vitest';
import { HostNode } from '../../../src/engine/host.js';
import type { FrameMeta, Sim } from '../../../src/engine/node-contract.js';
import { HOST_IN_PIPELINE } from '../../../src/engine/pipeline.js';
import type { L3Interface } from '../../../src/l3/l3-interface.js';
import type { Frame, IpPacket } from '../../../src/packet/frame.js';
import { prefixValue } from '../../../src/packet/ip-value.js';
import type { VerdictFact } from '../../../src/trace/verdict-reducer.js';

const META: FrameMeta = { probe: 3, dir: 'forward' };
const OWN = 0x0a000005; // 10.0.0.5
const PEER = 0x0a000009; // 10.0.0.9, on the subnet
const GW = 0x0a000001;
const FAR = 0xc0000201; // 192.0.2.1, via the gateway
const V6_NET = 0x20010db8000000000000000000000000n;
const V6_OWN = V6_NET + 5n;

interface Traced { port: string | null; stage: string; action: string; what: unknown; detail: Record<string, unknown> }

function fakeSim(recording = true) {
  const traced: Traced[] = [];
  const facts: VerdictFact[] = [];
  const sent: Frame[] = [];
  const timers: unknown[] = [];
  const sim = {
    now: 0, recording, explainAll: false,
    trace: (_node: string, port: string | null, stage: string, action: string, what: unknown, _m: FrameMeta, detail: Record<string, unknown> = {}) => { traced.push({ port, stage, action, what, detail }); },
    report: (_m: FrameMeta, f: VerdictFact) => { facts.push(f); },
    transmit: (_from: string, _port: string, frame: Frame) => { sent.push(frame); },
    setTimer: (_node: string, _delay: number, data: unknown) => { timers.push(data); return timers.length; },
    cancelTimer: () => undefined,
  } as unknown as Sim;
  return { sim, traced, facts, sent, timers };
}

/** A host on 10.0.0.0/24 (and 2001:db8::/64 unless v4Only), a default route via 10.0.0.1 unless noDefault, listening on tcp/22. */
function host(opts: { v4Only?: boolean; noDefault?: boolean } = {}): HostNode {
  const addrs: L3Interface['addrs'][number][] = [{ ip: OWN, prefix: prefixValue(OWN, 24) }];
  if (!opts.v4Only) addrs.push({ ip: V6_OWN, prefix: prefixValue(V6_OWN, 64) });
  const h = new HostNode('instance:h', new Map([['h/eth0', { port: 'h/eth0', mac: 0xfa163e000005, addrs }]]), [{ protocol: 'tcp', from: 22, to: 22, text: 'tcp/22' }], HOST_IN_PIPELINE);
  h.routes.add({ prefix: prefixValue(0x0a000000, 24), port: 'h/eth0', nexthop: null, kind: 'connected', text: '10.0.0.0/24 dev eth0' });
  h.routes.add({ prefix: prefixValue(V6_NET, 64), port: 'h/eth0', nexthop: null, kind: 'connected', text: '2001:db8::/64 dev eth0' });
  if (!opts.noDefault) h.routes.add({ prefix: prefixValue(0, 0), port: 'h/eth0', nexthop: GW, kind: 'default', text: 'default via 10.0.0.1' });
  return h;
}

describe('a probe to the host\'s own address goes over loopback', () => {
  it('to a port it listens on: delivered, observed as sent, with the loopback reason', () => {
    const f = fakeSim();
    host().sendProbe(f.sim, { dst: OWN, proto: 'tcp', port: 22, sport: 5000 }, META);
    const own: IpPacket = { kind: 'ip', version: 4, src: OWN, dst: OWN, ttl: 64, l4: { proto: 'tcp', sport: 5000, dport: 22, flags: 2 } };
    const reason = 'listening on tcp/22 (over loopback: the destination is this host\'s own address)';
    expect(f.traced).toEqual([{ port: null, stage: 'host.receive', action: 'accept', what: own, detail: { reason } }]);
    expect(f.facts).toEqual([
      { kind: 'observed', packet: own },
      { kind: 'outcome', outcome: { kind: 'delivered', node: 'instance:h', stage: 'host.receive', reason } },
      { kind: 'replied' },
    ]);
    expect(f.sent).toEqual([]);
  });

  it('to a port nothing listens on: refused', () => {
    const f = fakeSim();
    host().sendProbe(f.sim, { dst: OWN, proto: 'tcp', port: 80 }, META);
    expect(f.facts[1]).toEqual({ kind: 'outcome', outcome: { kind: 'refused', node: 'instance:h', stage: 'host.receive', reason: 'nothing listens on tcp/80 (over loopback: the destination is this host\'s own address)' } });
  });
});

describe('sending: routes and sources', () => {
  it('no route: traced as no-route with its reason, unreachable at host.route naming the destination; nothing sent', () => {
    const f = fakeSim();
    host({ noDefault: true }).sendProbe(f.sim, { dst: FAR, proto: 'udp', port: 53 }, META);
    expect(f.traced).toEqual([{ port: null, stage: 'host.route', action: 'no-route', what: expect.objectContaining({ kind: 'ip', dst: FAR }), detail: { reason: 'no route to the destination (ENETUNREACH)' } }]);
    expect(f.facts).toEqual([{ kind: 'outcome', outcome: { kind: 'unreachable', node: 'instance:h', stage: 'host.route', reason: 'instance:h has no route to 192.0.2.1 (ENETUNREACH)' } }]);
    expect(f.sent).toEqual([]);
  });

  it('a route out of an interface with no address of the family: unreachable, naming the family and the port; nothing sent', () => {
    const f = fakeSim();
    host({ v4Only: true }).sendProbe(f.sim, { dst: V6_NET + 9n, proto: 'tcp', port: 80 }, META);
    expect(f.facts).toEqual([{ kind: 'outcome', outcome: { kind: 'unreachable', node: 'instance:h', stage: 'host.route', reason: 'no IPv6 address on h/eth0' } }]);
    expect(f.traced).toEqual([]);
    expect(f.sent).toEqual([]);
  });

  it('the route taken is traced with its text and next hop: the destination on the subnet, the gateway beyond', () => {
    const f = fakeSim();
    const h = host();
    h.sendProbe(f.sim, { dst: PEER, proto: 'tcp', port: 80 }, META);
    h.sendProbe(f.sim, { dst: FAR, proto: 'tcp', port: 80 }, META);
    expect(f.traced.filter((t) => t.stage === 'host.route').map((t) => [t.port, t.action, t.detail])).toEqual([
      ['h/eth0', 'route', { route: '10.0.0.0/24 dev eth0', nexthop: '10.0.0.9' }],
      ['h/eth0', 'route', { route: 'default via 10.0.0.1', nexthop: '10.0.0.1' }],
    ]);
  });

  it('recording off: the same frames, and no route detail built', () => {
    const on = fakeSim(true);
    const off = fakeSim(false);
    host().sendProbe(on.sim, { dst: FAR, proto: 'tcp', port: 80 }, META);
    host().sendProbe(off.sim, { dst: FAR, proto: 'tcp', port: 80 }, META);
    expect(off.sent).toEqual(on.sent);
    expect(on.traced.some((t) => t.stage === 'host.route')).toBe(true);
    expect(off.traced.some((t) => t.stage === 'host.route')).toBe(false);
  });

  it('ephemeral ports count up from 40001 and wrap after 60999 to 32768 (Linux\'s ip_local_port_range)', () => {
    const f = fakeSim();
    const h = host({ noDefault: true });
    // No route: each probe stops at host.route, its draft carrying the port chosen.
    for (let i = 0; i < 60999 - 40000 + 1; i++) h.sendProbe(f.sim, { dst: FAR, proto: 'udp', port: 53 }, META);
    const ports = f.traced.map((t) => ((t.what as IpPacket).l4 as { sport: number }).sport);
    expect(ports.slice(0, 2)).toEqual([40001, 40002]);
    expect(ports.slice(-3)).toEqual([60998, 60999, 32768]);
  });

  it('a reply with no route back is traced as such and goes nowhere', () => {
    const f = fakeSim();
    const reply: IpPacket = { kind: 'ip', version: 4, src: OWN, dst: FAR, ttl: 64, l4: { proto: 'tcp', sport: 22, dport: 40000, flags: 0x12 } };
    host({ noDefault: true }).sendReply(f.sim, reply, META);
    expect(f.traced).toEqual([{ port: null, stage: 'host.route', action: 'no-route', what: reply, detail: { reason: 'no route back to the sender' } }]);
    expect(f.sent).toEqual([]);
  });
});

describe('a next hop that never answers', () => {
  for (const family of [4, 6] as const) {
    it(`IPv${family}: unreachable at ${family === 4 ? 'arp' : 'nd'} after the last retry, naming the next hop and what it did not answer`, () => {
      const f = fakeSim();
      const h = host();
      const [dst, text, what] = family === 4 ? [PEER, '10.0.0.9', 'ARP'] : [V6_NET + 9n, '2001:db8::9', 'neighbour solicitation'];
      h.sendProbe(f.sim, { dst, proto: 'tcp', port: 80 }, META);
      for (let i = 0; i < 3; i++) h.timer(f.sim, f.timers[i]);
      expect(f.facts).toEqual([{ kind: 'outcome', outcome: { kind: 'unreachable', node: 'instance:h', stage: family === 4 ? 'arp' : 'nd', reason: `${text} did not answer ${what} on h/eth0 (EHOSTUNREACH)` } }]);
    });
  }
});

describe('isAnswer: ICMP errors about flows the host opened', () => {
  const errorAbout = (quoted: IpPacket): IpPacket => ({ kind: 'ip', version: 4, src: GW, dst: OWN, ttl: 64, l4: { proto: 'icmp', type: 3, code: 1, quoted } });

  it('quoting a TCP or UDP probe it sent: an answer; quoting any other flow: not', () => {
    const f = fakeSim();
    const h = host();
    h.sendProbe(f.sim, { dst: FAR, proto: 'tcp', port: 80, sport: 41000 }, META);
    h.sendProbe(f.sim, { dst: FAR, proto: 'udp', port: 53, sport: 41001 }, META);
    const tcp = (dport: number, sport = 41000): IpPacket => ({ kind: 'ip', version: 4, src: OWN, dst: FAR, ttl: 64, l4: { proto: 'tcp', sport, dport, flags: 2 } });
    const udp = (dport: number): IpPacket => ({ kind: 'ip', version: 4, src: OWN, dst: FAR, ttl: 64, l4: { proto: 'udp', sport: 41001, dport } });
    expect(h.isAnswer(errorAbout(tcp(80)))).toBe(true);
    expect(h.isAnswer(errorAbout(udp(53)))).toBe(true);
    expect(h.isAnswer(errorAbout(tcp(81)))).toBe(false);
    expect(h.isAnswer(errorAbout(tcp(80, 41002)))).toBe(false);
    expect(h.isAnswer(errorAbout(udp(54)))).toBe(false);
  });
});

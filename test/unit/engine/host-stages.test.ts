/**
 * A host's receive stages one at a time (src/l3/receive-stages.ts: arp, nd; src/engine/
 * host-stages.ts: host.receive, host.reply), each with a tiny context: a host at 10.0.0.10
 * with a TCP/80 service, a fake Sim that records traces, facts and transmissions, and an arrival.
 * Each stage's default is NEXT; a stop names its reason; HOST_IN_PIPELINE runs them in order.
 * The port's filter (one group allowing UDP/53 out) runs inside the host: sg.ingress first on
 * what arrives, port.security and sg.egress on what leaves (HostNode.output).
 */
import { describe, expect, it } from 'vitest';
import { HostNode } from '../../../src/engine/host.js';
import { filterArrival, receiveForHost, sendStackReply, type HostArrival } from '../../../src/engine/host-stages.js';
import type { FrameMeta, Sim } from '../../../src/engine/node-contract.js';
import { HOST_IN_PIPELINE, PIPELINE, PORT_TABLES } from '../../../src/engine/pipeline.js';
import { LinearMatcher } from '../../../src/firewall/linear-matcher.js';
import { PortFirewall } from '../../../src/firewall/port-firewall.js';
import { toMatchRule } from '../../../src/firewall/rule.js';
import { resolveArp, resolveNd } from '../../../src/l3/receive-stages.js';
import { TCP_ACK, TCP_RST, TCP_SYN, type Frame } from '../../../src/packet/frame.js';
import type { VerdictFact } from '../../../src/trace/verdict-reducer.js';
import { NEXT } from '../../../src/util/stages.js';

const META: FrameMeta = { probe: 1, dir: 'forward' };
const MAC = 0xfa163e000001;
const PEER_MAC = 0xfa163e000002;
const ME = 0x0a00000a; // 10.0.0.10
const PEER = 0x0a000014; // 10.0.0.20
const IFACE = { port: 'a/eth0', mac: MAC, addrs: [{ ip: ME, prefix: { network: 0x0a000000, mask: 0xffffff00, length: 24 } }] };

function fakeSim() {
  const traced: { stage: string; action: string }[] = [];
  const details: unknown[] = [];
  const facts: VerdictFact[] = [];
  const sent: Frame[] = [];
  const sim = {
    now: 0, recording: true, explainAll: false,
    trace: (_n: string, _p: string | null, stage: string, action: string, _w: unknown, _m: FrameMeta, detail: unknown = {}) => { traced.push({ stage, action }); details.push(detail); },
    report: (_m: FrameMeta, f: VerdictFact) => { facts.push(f); },
    transmit: (_from: string, _port: string, frame: Frame) => { sent.push(frame); },
    setTimer: () => 0, cancelTimer: () => undefined,
  } as unknown as Sim;
  return { sim, traced, details, facts, sent };
}

function host(): HostNode {
  const h = new HostNode('instance:a', new Map([['a/eth0', IFACE]]), [{ protocol: 'tcp', from: 80, to: 80, text: 'tcp/80' }], HOST_IN_PIPELINE);
  h.routes.add({ prefix: { network: 0x0a000000, mask: 0xffffff00, length: 24 } as never, port: 'a/eth0', nexthop: null, kind: 'connected', text: '10.0.0.0/24 dev eth0' });
  return h;
}

const syn = (dst: number, dstMac = MAC, dport = 80): Frame => ({ src: PEER_MAC, dst: dstMac, payload: { kind: 'ip', version: 4, src: PEER, dst, ttl: 64, l4: { proto: 'tcp', sport: 40001, dport, flags: TCP_SYN } } });
const arpFor = (target: number): Frame => ({ src: PEER_MAC, dst: 0xffffffffffff, payload: { kind: 'arp', op: 'request', senderMac: PEER_MAC, senderIp: PEER, targetMac: 0, targetIp: target } });

const arrival = (sim: Sim, frame: Frame, node = host(), meta = META): HostArrival => ({ host: node, sim, meta, node: node.id, port: 'a/eth0', iface: IFACE, neighbors: node.neighbors, frame, fw: undefined, reply: undefined });

describe('arp and nd (resolveArp, resolveNd)', () => {
  it('an ARP request for the host\'s address is answered and stops; not ARP goes on', () => {
    const f = fakeSim();
    expect(resolveArp(arrival(f.sim, arpFor(ME))).next).toBe(false);
    expect(f.sent[0]).toMatchObject({ src: MAC, dst: PEER_MAC, payload: { kind: 'arp', op: 'reply', senderIp: ME } });
    expect(resolveArp(arrival(f.sim, syn(ME)))).toBe(NEXT);
  });

  it('an ARP request for another address is taken (ignored), not answered', () => {
    const f = fakeSim();
    expect(resolveArp(arrival(f.sim, arpFor(PEER))).next).toBe(false);
    expect(f.sent).toEqual([]);
    expect(f.traced).toEqual([{ stage: 'arp', action: 'ignore' }]);
  });

  it('default: IPv4 is not ND — next', () => {
    expect(resolveNd(arrival(fakeSim().sim, syn(ME)))).toBe(NEXT);
  });
});

describe('host.receive (receiveForHost)', () => {
  it('a SYN to a listening port is delivered, and its SYN-ACK left for host.reply', () => {
    const f = fakeSim();
    const a = arrival(f.sim, syn(ME));
    expect(receiveForHost(a)).toBe(NEXT);
    expect(a.reply).toMatchObject({ src: ME, dst: PEER, l4: { proto: 'tcp', sport: 80, dport: 40001 } });
    expect(f.facts).toContainEqual({ kind: 'outcome', outcome: expect.objectContaining({ kind: 'delivered', stage: 'host.receive', node: 'instance:a' }) });
  });

  it('a SYN to a closed port is refused (RST left for host.reply)', () => {
    const f = fakeSim();
    const a = arrival(f.sim, syn(ME, MAC, 81));
    expect(receiveForHost(a)).toBe(NEXT);
    expect(f.facts).toContainEqual({ kind: 'outcome', outcome: expect.objectContaining({ kind: 'refused' }) });
  });

  it('a packet for another address stops: a host does not forward', () => {
    const f = fakeSim();
    expect(receiveForHost(arrival(f.sim, syn(0x0a000063))).next).toBe(false);
    expect(f.facts).toEqual([]);
    expect(f.traced).toEqual([{ stage: 'host.receive', action: 'ignore' }]);
  });

  it('a unicast frame for another MAC stops (PACKET_OTHERHOST)', () => {
    const f = fakeSim();
    expect(receiveForHost(arrival(f.sim, syn(ME, 0xfa163e000099))).next).toBe(false);
    expect(f.facts).toEqual([]);
  });
});

describe('host.reply (sendStackReply)', () => {
  it('default: no reply — next, nothing sent', () => {
    const f = fakeSim();
    expect(sendStackReply(arrival(f.sim, syn(ME)))).toBe(NEXT);
    expect(f.traced).toEqual([]);
  });
});

const REPLY_META: FrameMeta = { probe: 1, dir: 'reply' };
const toMe = (l4: Frame['payload'] extends infer P ? P extends { kind: 'ip'; l4: infer L } ? L : never : never): Frame => ({ src: PEER_MAC, dst: MAC, payload: { kind: 'ip', version: 4, src: PEER, dst: ME, ttl: 64, l4 } });

describe('host.receive: what the stack takes without answering, and what it says', () => {
  it('a frame for another MAC is ignored at host.receive, naming that MAC', () => {
    const f = fakeSim();
    receiveForHost(arrival(f.sim, syn(ME, 0xfa163e000099)));
    expect(f.traced).toEqual([{ stage: 'host.receive', action: 'ignore' }]);
    expect(f.details).toEqual([{ reason: expect.stringContaining('fa:16:3e:00:00:99') }]);
  });

  it('a packet for another address is ignored, naming that address', () => {
    const f = fakeSim();
    receiveForHost(arrival(f.sim, syn(0x0a000063)));
    expect(f.details).toEqual([{ reason: expect.stringContaining('10.0.0.99') }]);
  });

  it('an echo reply or a RST that answers nothing this host opened is taken as an answer; unknown ICMP is ignored: traced with the stack\'s reason, no verdict, nothing to send', () => {
    const cases = [
      [toMe({ proto: 'icmp', type: 0, code: 0, id: 9, seq: 1 }), 'answer'],
      [toMe({ proto: 'tcp', sport: 40001, dport: 80, flags: TCP_RST }), 'answer'],
      [toMe({ proto: 'icmp', type: 13, code: 0, id: 9, seq: 1 }), 'ignore'],
    ] as const;
    for (const [frame, action] of cases) {
      const f = fakeSim();
      const a = arrival(f.sim, frame);
      expect(receiveForHost(a).next).toBe(false);
      expect(a.reply).toBeUndefined();
      expect(f.traced).toEqual([{ stage: 'host.receive', action }]);
      expect(f.details).toEqual([{ reason: expect.stringMatching(/\S/) }]);
      expect(f.facts).toEqual([]);
    }
  });

  it('a segment of a connection to a listening port is accepted with nothing to send back: it stops there', () => {
    const f = fakeSim();
    const a = arrival(f.sim, toMe({ proto: 'tcp', sport: 40001, dport: 80, flags: TCP_ACK }));
    expect(receiveForHost(a).next).toBe(false);
    expect(a.reply).toBeUndefined();
    expect(f.traced).toEqual([{ stage: 'host.receive', action: 'accept' }]);
    expect(f.facts).toContainEqual({ kind: 'outcome', outcome: expect.objectContaining({ kind: 'delivered' }) });
  });

  it('a delivered SYN is traced with the stack\'s reason, and reported observed then delivered', () => {
    const f = fakeSim();
    const a = arrival(f.sim, syn(ME));
    receiveForHost(a);
    expect(f.details).toEqual([{ reason: expect.stringContaining('tcp/80') }]);
    expect(f.facts).toEqual([{ kind: 'observed', packet: a.frame.payload }, { kind: 'outcome', outcome: { kind: 'delivered', node: 'instance:a', stage: 'host.receive', reason: expect.stringContaining('tcp/80') } }]);
  });

  it('a SYN travelling as a reply is answered but decides no verdict', () => {
    const f = fakeSim();
    const a = arrival(f.sim, syn(ME), host(), REPLY_META);
    expect(receiveForHost(a)).toBe(NEXT);
    expect(a.reply).toBeDefined();
    expect(f.facts).toEqual([]);
  });

  it('the answer to a flow this host opened is taken, traced as an answer with why, and reported replied', () => {
    const f = fakeSim();
    const node = host();
    node.neighbors.cacheOf('a/eth0').set(PEER, PEER_MAC);
    node.sendProbe(f.sim, { dst: PEER, proto: 'tcp', port: 80 }, META);
    const out = f.sent[0]!.payload;
    const sport = out.kind === 'ip' && out.l4.proto === 'tcp' ? out.l4.sport : -1;
    const g = fakeSim();
    const a = arrival(g.sim, toMe({ proto: 'tcp', sport: 80, dport: sport, flags: TCP_SYN | TCP_ACK }), node, REPLY_META);
    expect(receiveForHost(a).next).toBe(false);
    expect(g.traced).toEqual([{ stage: 'host.receive', action: 'answer' }]);
    expect(g.details).toEqual([{ reason: expect.stringMatching(/\S/) }]);
    expect(g.facts).toEqual([{ kind: 'replied' }]);
  });

  it('the stages\' stops carry distinct, non-empty reasons', () => {
    const f = fakeSim();
    const node = host();
    node.installFilter('a/eth0', firewall());
    const stops = [
      filterArrival({ ...arrival(f.sim, syn(ME), node), fw: firewall() }),
      receiveForHost(arrival(f.sim, syn(0x0a000063))),
      receiveForHost(arrival(f.sim, toMe({ proto: 'icmp', type: 13, code: 0, id: 9, seq: 1 }))),
    ];
    const withReply = arrival(f.sim, syn(ME));
    receiveForHost(withReply);
    stops.push(sendStackReply(withReply));
    node.neighbors.cacheOf('a/eth0').set(PEER, PEER_MAC);
    const g = fakeSim();
    node.sendProbe(g.sim, { dst: PEER, proto: 'udp', port: 53 }, META);
    const out = g.sent[0]!.payload;
    const sport = out.kind === 'ip' && out.l4.proto === 'udp' ? out.l4.sport : -1;
    stops.push(receiveForHost(arrival(f.sim, toMe({ proto: 'udp', sport: 53, dport: sport }), node, REPLY_META)));
    const reasons = stops.map((d) => (d.next ? '' : d.reason));
    expect(reasons.every((r) => /\S/.test(r))).toBe(true);
    expect(new Set(reasons).size).toBe(reasons.length);
  });
});

describe('HOST_IN_PIPELINE', () => {
  it('is the host.in row of PIPELINE: the port\'s filter first', () => {
    expect(HOST_IN_PIPELINE.map((s) => s.id)).toEqual(PIPELINE['host.in']);
    expect(PIPELINE['host.in']).toEqual(['sg.ingress', 'arp', 'nd', 'host.receive', 'host.reply']);
  });

  it('a SYN runs host.receive then host.reply, which resolves the peer first (ARP request out)', () => {
    const f = fakeSim();
    host().receive(f.sim, 'a/eth0', syn(ME), META);
    expect(f.traced.map((t) => t.stage)).toEqual(['host.receive', 'host.reply', 'host.route', 'arp', 'arp']);
    expect(f.sent[0]).toMatchObject({ payload: { kind: 'arp', op: 'request', targetIp: PEER } });
  });
});

const DNS_OUT = toMatchRule('g', { index: 0, text: 'egress udp 53', direction: 'egress', ethertype: 'IPv4', protocol: 'udp', ports: { from: 53, to: 53 }, remoteIpPrefix: null, remoteGroup: null } as never, 0);
const firewall = (): PortFirewall => new PortFirewall({ port: 'a/eth0', identity: { mac: MAC, addresses: new Set([ME]), pairs: [] }, groups: ['g'], stateful: true, matcher: new LinearMatcher([DNS_OUT], new Map()) }, PORT_TABLES);

describe('the port filter in the host (sg.ingress: filterArrival; HostNode.output)', () => {
  it('default: no filter on the port (an external host, port security off) — next, nothing traced', () => {
    const f = fakeSim();
    expect(filterArrival(arrival(f.sim, syn(ME)))).toBe(NEXT);
    expect(f.traced).toEqual([]);
  });

  it('a SYN no ingress rule allows stops at sg.ingress, before the stack: nothing answered', () => {
    const f = fakeSim();
    const node = host();
    node.installFilter('a/eth0', firewall());
    node.receive(f.sim, 'a/eth0', syn(ME), META);
    expect(f.traced).toEqual([{ stage: 'sg.ingress', action: 'drop' }]);
    expect(f.facts.map((x) => x.kind)).toEqual(['blocked']);
    expect(f.sent).toEqual([]);
  });

  it('what the host sends meets the filter before the wire: UDP/53 goes out, TCP/80 is dropped at sg.egress', () => {
    const f = fakeSim();
    const node = host();
    node.installFilter('a/eth0', firewall());
    node.neighbors.cacheOf('a/eth0').set(PEER, PEER_MAC);
    node.sendProbe(f.sim, { dst: PEER, proto: 'tcp', port: 80 }, META);
    expect(f.sent).toEqual([]);
    expect(f.traced.at(-1)).toEqual({ stage: 'sg.egress', action: 'drop' });
    node.sendProbe(f.sim, { dst: PEER, proto: 'udp', port: 53 }, META);
    expect(f.sent).toHaveLength(1);
    expect(f.traced.at(-1)).toEqual({ stage: 'sg.egress', action: 'allow' });
  });
});

/**
 * The router's stages one at a time (src/routing/router-stages.ts), each with a tiny context:
 * a router with one interface, a fake Sim that records traces and reported facts, and a hop.
 * Each stage's default is NEXT; a stop names its reason; ROUTER_PIPELINE runs them in order.
 */
import { describe, expect, it } from 'vitest';
import type { FrameMeta, Sim } from '../../../src/engine/node-contract.js';
import { ROUTER_PIPELINE, ROUTER_RECEIVE_PIPELINE } from '../../../src/engine/pipeline.js';
import type { IpPacket } from '../../../src/packet/frame.js';
import { RouterNode, type RouterHop } from '../../../src/routing/router.js';
import { decrementTtl, lookupRoute, selectVipMember, translateDestination } from '../../../src/routing/router-stages.js';
import type { VerdictFact } from '../../../src/trace/verdict-reducer.js';
import { NEXT, runStages, step, stop, FELL_THROUGH } from '../../../src/util/stages.js';

const META: FrameMeta = { probe: 1, dir: 'forward' };
const A = 0x0a000002; // 10.0.0.2
const B = 0x0a000103; // 10.0.1.3

function fakeSim() {
  const traced: { stage: string; action: string; detail: unknown }[] = [];
  const facts: VerdictFact[] = [];
  const sim = {
    now: 0, recording: true, explainAll: false,
    trace: (_n: string, _p: string | null, stage: string, action: string, _w: unknown, _m: FrameMeta, detail: unknown = {}) => { traced.push({ stage, action, detail }); },
    report: (_m: FrameMeta, f: VerdictFact) => { facts.push(f); },
    transmit: () => undefined, setTimer: () => 0, cancelTimer: () => undefined,
  } as unknown as Sim;
  return { sim, traced, facts };
}

const tcp = (ttl: number): IpPacket => ({ kind: 'ip', version: 4, src: A, dst: B, ttl, l4: { proto: 'tcp', sport: 40001, dport: 80, flags: 2 } });

function hop(sim: Sim, packet: IpPacket, inPort: string | null = 'r/qr-a'): RouterHop {
  const router = new RouterNode('router:r', new Map([['r/qr-a', { port: 'r/qr-a', mac: 0xfa163e000001, addrs: [{ ip: 0x0a000001, prefix: { network: 0x0a000000, mask: 0xffffff00, length: 24 } }] }]]), { stages: ROUTER_PIPELINE, receive: ROUTER_RECEIVE_PIPELINE });
  return { router, sim, meta: META, inPort, packet, natLookup: undefined, selection: undefined, pre: undefined, route: undefined, out: undefined };
}

describe('router.ttl (decrementTtl)', () => {
  it('a packet that came in leaves with TTL - 1, traced with before and after', () => {
    const f = fakeSim();
    const h = hop(f.sim, tcp(5));
    expect(decrementTtl(h)).toBe(NEXT);
    expect(h.packet.ttl).toBe(4);
    expect(f.traced).toEqual([{ stage: 'router.ttl', action: 'decrement', detail: { before: 5, after: 4 } }]);
  });

  it('TTL 1 stops the packet: expired, with the router and stage in the outcome', () => {
    const f = fakeSim();
    const d = decrementTtl(hop(f.sim, tcp(1)));
    expect(d.next).toBe(false);
    expect(f.facts[0]).toMatchObject({ kind: 'outcome', outcome: { kind: 'expired', node: 'router:r', stage: 'router.ttl' } });
  });

  it('default: a packet the router originates keeps its TTL', () => {
    const f = fakeSim();
    const h = hop(f.sim, tcp(1), null);
    expect(decrementTtl(h)).toBe(NEXT);
    expect(h.packet.ttl).toBe(1);
    expect(f.traced).toEqual([]);
  });
});

describe('router.route (lookupRoute)', () => {
  it('no route stops the packet as unreachable at router.route', () => {
    const f = fakeSim();
    expect(lookupRoute(hop(f.sim, tcp(64))).next).toBe(false);
    expect(f.traced[0]).toMatchObject({ stage: 'router.route', action: 'no-route' });
    expect(f.facts[0]).toMatchObject({ kind: 'outcome', outcome: { kind: 'unreachable', stage: 'router.route' } });
  });
});

describe('lb.select and nat.dnat defaults', () => {
  it('a router without NAT has nothing to select or translate', () => {
    const f = fakeSim();
    const h = hop(f.sim, tcp(64));
    expect(selectVipMember(h)).toBe(NEXT);
    expect(translateDestination(h)).toBe(NEXT);
    expect(h.packet).toEqual(tcp(64));
    expect(f.traced).toEqual([]);
  });
});

describe('runStages', () => {
  it('runs stages in order until one stops, and falls through to an explicit default', () => {
    const seen: string[] = [];
    const halt = stop('halt');
    const table = [step<string[]>('arp', (c) => (c.push('a'), NEXT)), step<string[]>('nd', (c) => (c.push('b'), halt)), step<string[]>('acl', (c) => (c.push('c'), NEXT))];
    expect(runStages(table, seen)).toBe(halt);
    expect(seen).toEqual(['a', 'b']);
    expect(runStages([table[0]!], [])).toBe(FELL_THROUGH);
  });

  it('the router table lists lb.select before nat.dnat and acl on both sides of the route, as the router traces them', () => {
    expect(ROUTER_PIPELINE.map((s) => s.id)).toEqual(['lb.select', 'nat.dnat', 'host.receive', 'acl', 'router.route', 'router.ttl', 'acl', 'nat.snat', 'router.forward']);
  });
});

describe('ROUTER_RECEIVE_PIPELINE (arp, nd, router.receive)', () => {
  it('an ARP request for the interface address is answered; a frame for another MAC is ignored; one for its MAC is routed', () => {
    const f = fakeSim();
    const sent: unknown[] = [];
    (f.sim as { transmit: unknown }).transmit = (_from: string, _port: string, frame: unknown) => { sent.push(frame); };
    const { router } = hop(f.sim, tcp(5));
    const arp = { src: 0xfa163e000002, dst: 0xffffffffffff, payload: { kind: 'arp' as const, op: 'request' as const, senderMac: 0xfa163e000002, senderIp: A, targetMac: 0, targetIp: 0x0a000001 } };
    router.receive(f.sim, 'r/qr-a', arp, META);
    expect(sent).toEqual([expect.objectContaining({ payload: expect.objectContaining({ op: 'reply', senderIp: 0x0a000001 }) })]);
    router.receive(f.sim, 'r/qr-a', { src: 0xfa163e000002, dst: 0xfa163e000099, payload: tcp(5) }, META);
    expect(f.traced.at(-1)).toMatchObject({ stage: 'router.receive', action: 'ignore' });
    const before = f.traced.length;
    router.receive(f.sim, 'r/qr-a', { src: 0xfa163e000002, dst: 0xfa163e000001, payload: tcp(5) }, META);
    // Accepted, then routed (no route here beyond the connected one: the ICMP error goes back).
    expect(f.traced.slice(before, before + 2).map((t) => [t.stage, t.action])).toEqual([['router.receive', 'accept'], ['router.route', 'no-route']]);
    expect(ROUTER_RECEIVE_PIPELINE.map((s) => s.id)).toEqual(['arp', 'nd', 'router.receive']);
  });
});

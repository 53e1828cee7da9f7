/**
 * The router's stages (src/routing/router-stages.ts) beyond router-stages.test.ts: the reason
 * each stop names, the details each trace event carries (route and next hop, the TTL, the
 * interface out), the defaults for a packet the router originates (no TTL, no ACL, no NAT, no
 * balancing), network ACLs asked in the right direction on the right port, a VIP's listeners
 * and refusals, and recording off: the same packets go out.
 */
import { describe, expect, it } from 'vitest';
import type { FrameMeta, Sim } from '../../../src/engine/node-contract.js';
import { ROUTER_PIPELINE, ROUTER_RECEIVE_PIPELINE } from '../../../src/engine/pipeline.js';
import type { AclEvaluator } from '../../../src/firewall/network-acl.js';
import { Balancer } from '../../../src/lb/balancer.js';
import type { L3Interface } from '../../../src/l3/l3-interface.js';
import type { Frame, IpPacket, L4 } from '../../../src/packet/frame.js';
import { prefixValue, type IpValue } from '../../../src/packet/ip-value.js';
import { RouterNat } from '../../../src/routing/nat.js';
import { RouterNode, type RouterHop, type RouterOptions } from '../../../src/routing/router.js';
import { aclEnteringSubnet, aclLeavingSubnet, acceptForRouting, answerOwnAddress, decrementTtl, lookupRoute, selectVipMember, sendToNextHop, translateDestination, translateSource } from '../../../src/routing/router-stages.js';
import type { LoadBalancer } from '../../../src/topology/model.js';
import type { VerdictFact } from '../../../src/trace/verdict-reducer.js';
import { NEXT } from '../../../src/util/stages.js';

const META: FrameMeta = { probe: 1, dir: 'forward' };
const A = 0x0a000002; // 10.0.0.2, on qr-a
const B = 0x0a000103; // 10.0.1.3, on qr-b
const FAR = 0xac100005; // 172.16.0.5, via 10.0.1.9
const PUBLIC = 0xc6336407; // 198.51.100.7, delivered locally (the internet's own hosts)
const NOWHERE = 0x09090909;
const VIP = 0x0a000164; // 10.0.1.100
const MAC_A = 0xfa163e000001;
const MAC_B = 0xfa163e000002;

interface Traced { node: string; port: string | null; stage: string; action: string; what: unknown; detail: Record<string, unknown> }

function fakeSim(recording = true) {
  const traced: Traced[] = [];
  const facts: VerdictFact[] = [];
  const sent: { port: string; frame: Frame }[] = [];
  const sim = {
    now: 0, recording, explainAll: false,
    trace: (node: string, port: string | null, stage: string, action: string, what: unknown, _m: FrameMeta, detail: Record<string, unknown> = {}) => { traced.push({ node, port, stage, action, what, detail }); },
    report: (_m: FrameMeta, f: VerdictFact) => { facts.push(f); },
    transmit: (_from: string, port: string, frame: Frame) => { sent.push({ port, frame }); },
    setTimer: () => 0, cancelTimer: () => undefined,
  } as unknown as Sim;
  return { sim, traced, facts, sent };
}

const iface = (port: string, mac: number, ip: number): L3Interface => ({ port, mac, addrs: [{ ip, prefix: prefixValue(ip, 24) }] });

/** A router on 10.0.0.0/24 (qr-a) and 10.0.1.0/24 (qr-b), a static route to 172.16/16, and 198.51.100/24 answered locally. */
function router(extra: Partial<RouterOptions> = {}, local: { via: string; p: IpPacket }[] = []): RouterNode {
  const r = new RouterNode('router:r', new Map([['r/qr-a', iface('r/qr-a', MAC_A, 0x0a000001)], ['r/qr-b', iface('r/qr-b', MAC_B, 0x0a000101)]]), {
    stages: ROUTER_PIPELINE, receive: ROUTER_RECEIVE_PIPELINE,
    localDelivery: (_s, p, _m, via) => { local.push({ via, p }); },
    ...extra,
  });
  r.routes.add({ prefix: prefixValue(0x0a000000, 24), port: 'r/qr-a', nexthop: null, kind: 'connected', text: '10.0.0.0/24 connected via qr-a' });
  r.routes.add({ prefix: prefixValue(0x0a000100, 24), port: 'r/qr-b', nexthop: null, kind: 'connected', text: '10.0.1.0/24 connected via qr-b' });
  r.routes.add({ prefix: prefixValue(0xac100000, 16), port: 'r/qr-b', nexthop: 0x0a000109, kind: 'static', text: '172.16.0.0/16 via 10.0.1.9' });
  r.routes.add({ prefix: prefixValue(0xc6336400, 24), port: '', nexthop: null, kind: 'host', text: '198.51.100.0/24 local' });
  return r;
}

const ip = (src: IpValue, dst: IpValue, l4: L4, ttl = 64): IpPacket => ({ kind: 'ip', version: 4, src, dst, ttl, l4 });
const tcp = (src: IpValue, dst: IpValue, dport = 80, ttl = 64) => ip(src, dst, { proto: 'tcp', sport: 40001, dport, flags: 2 }, ttl);

function hop(sim: Sim, packet: IpPacket, r = router(), inPort: string | null = 'r/qr-a'): RouterHop {
  return { router: r, sim, meta: META, inPort, packet, natLookup: undefined, selection: undefined, pre: undefined, route: undefined, out: undefined };
}

describe('router.route (lookupRoute)', () => {
  it('a connected route: the next hop is the destination itself; a static one names its next hop', () => {
    const f = fakeSim();
    const h = hop(f.sim, tcp(A, B));
    expect(lookupRoute(h)).toBe(NEXT);
    expect(h.out?.port).toBe('r/qr-b');
    const s = hop(f.sim, tcp(A, FAR));
    lookupRoute(s);
    expect(s.route?.nexthop).toBe(0x0a000109);
    expect(f.traced.map((t) => [t.port, t.stage, t.action, t.detail])).toEqual([
      ['r/qr-a', 'router.route', 'match', { route: '10.0.1.0/24 connected via qr-b', nexthop: '10.0.1.3' }],
      ['r/qr-a', 'router.route', 'match', { route: '172.16.0.0/16 via 10.0.1.9', nexthop: '10.0.1.9' }],
    ]);
  });

  it('no route: stops with its reason, traced and reported naming the destination, and ICMP net unreachable goes back', () => {
    const f = fakeSim();
    expect(lookupRoute(hop(f.sim, tcp(A, NOWHERE)))).toEqual({ next: false, reason: 'no route: ICMP net unreachable' });
    expect(f.traced[0]).toMatchObject({ port: 'r/qr-a', stage: 'router.route', action: 'no-route', detail: { reason: 'no route to 9.9.9.9' } });
    expect(f.facts[0]).toEqual({ kind: 'outcome', outcome: { kind: 'unreachable', node: 'router:r', stage: 'router.route', reason: 'router:r has no route to 9.9.9.9' } });
    // The error is routed back to 10.0.0.2 out of qr-a (its neighbour is resolved first: an ARP request).
    expect(f.traced.filter((t) => t.stage === 'router.route' && t.action === 'match').map((t) => t.what)).toEqual([expect.objectContaining({ src: 0x0a000001, dst: A, l4: expect.objectContaining({ type: 3, code: 0 }) })]);
  });

  it('a route the node answers itself: handed to its local delivery with the port it came in on (or none)', () => {
    const f = fakeSim();
    const local: { via: string; p: IpPacket }[] = [];
    const r = router({}, local);
    expect(lookupRoute(hop(f.sim, tcp(A, PUBLIC), r))).toEqual({ next: false, reason: 'a route the node answers itself (the internet\'s public hosts)' });
    expect(lookupRoute(hop(f.sim, tcp(A, PUBLIC), r, null)).next).toBe(false);
    expect(local.map((l) => l.via)).toEqual(['r/qr-a', '']);
    expect(f.traced[0]).toMatchObject({ stage: 'router.route', action: 'local', detail: { route: '198.51.100.0/24 local' } });
  });
});

describe('router.ttl (decrementTtl)', () => {
  it('expiry stops with its reason, traced with the TTL', () => {
    const f = fakeSim();
    expect(decrementTtl(hop(f.sim, tcp(A, B, 80, 1)))).toEqual({ next: false, reason: 'TTL expired: ICMP time exceeded' });
    expect(f.traced[0]).toMatchObject({ stage: 'router.ttl', action: 'expired', detail: { ttl: 1 } });
  });

  it('a TTL beyond 255 (not from a real header) is still traced with before and after', () => {
    const f = fakeSim();
    decrementTtl(hop(f.sim, tcp(A, B, 80, 300)));
    expect(f.traced[0]).toMatchObject({ stage: 'router.ttl', action: 'decrement', detail: { before: 300, after: 299 } });
  });
});

describe('router.forward (sendToNextHop)', () => {
  it('stops as sent, traced at the port out with its source MAC', () => {
    const f = fakeSim();
    const h = hop(f.sim, tcp(A, B));
    lookupRoute(h);
    expect(sendToNextHop(h)).toEqual({ next: false, reason: 'sent to the next hop' });
    expect(f.traced[1]).toMatchObject({ port: 'r/qr-b', stage: 'router.forward', action: 'send', detail: { out: 'r/qr-b', srcMac: 'fa:16:3e:00:00:02' } });
  });
});

describe('router.receive and host.receive', () => {
  it('an IP frame for the router\'s MAC is accepted and routed, with its reason', () => {
    const f = fakeSim();
    const r = router();
    const frame: Frame = { src: 0xfa163e0000aa, dst: MAC_A, payload: tcp(A, B) };
    const d = acceptForRouting({ router: r, sim: f.sim, meta: META, node: r.id, port: 'r/qr-a', iface: r.interfaces.get('r/qr-a')!, neighbors: r.neighbors, frame });
    expect(d).toEqual({ next: false, reason: 'accepted and routed (ROUTER_PIPELINE)' });
    expect(f.traced[0]).toMatchObject({ port: 'r/qr-a', stage: 'router.receive', action: 'accept' });
  });

  it('a packet for one of the router\'s addresses is answered like a host: at the port it came in on, or its own', () => {
    const f = fakeSim();
    expect(answerOwnAddress(hop(f.sim, tcp(A, 0x0a000101)))).toEqual({ next: false, reason: 'for one of the router\'s own addresses: answered like a host' });
    expect(f.traced[0]).toMatchObject({ port: 'r/qr-a', stage: 'host.receive', action: 'refuse' });
    answerOwnAddress(hop(f.sim, tcp(A, 0x0a000101), router(), null));
    expect(f.traced.filter((t) => t.stage === 'host.receive').map((t) => t.port)).toEqual(['r/qr-a', 'r/qr-b']);
    expect(answerOwnAddress(hop(f.sim, tcp(A, B)))).toBe(NEXT);
  });
});

describe('acl', () => {
  /** A network ACL on qr-a that records what it is asked and answers `action`. */
  function withAcl(action: 'allow' | 'deny') {
    const asked: [string, string][] = [];
    const evaluator = { acl: { name: 'edge' }, evaluate: (_f: unknown, direction: string) => { asked.push(['qr-a', direction]); return { action, rule: { text: `100 ${action}` } }; } } as unknown as AclEvaluator;
    return { r: router({ acls: new Map([['r/qr-a', { subnet: 'a', evaluator }]]) }), asked };
  }

  it('leaving a subnet: the ACL of the port it came in on, egress; entering one: the port out\'s, ingress', () => {
    const f = fakeSim();
    const { r, asked } = withAcl('allow');
    expect(aclLeavingSubnet(hop(f.sim, tcp(A, B), r))).toBe(NEXT);
    const h = hop(f.sim, tcp(B, A), r, 'r/qr-b');
    lookupRoute(h);
    expect(aclEnteringSubnet(h)).toBe(NEXT);
    expect(asked).toEqual([['qr-a', 'egress'], ['qr-a', 'ingress']]);
  });

  it('a deny stops with its reason; a packet the router originates is not checked leaving', () => {
    const f = fakeSim();
    const { r, asked } = withAcl('deny');
    expect(aclLeavingSubnet(hop(f.sim, tcp(A, B), r))).toEqual({ next: false, reason: 'denied by a network ACL' });
    expect(aclLeavingSubnet(hop(f.sim, tcp(A, B), r, null))).toBe(NEXT);
    expect(asked).toHaveLength(1);
  });
});

describe('lb.select and nat.dnat on a router that serves a VIP', () => {
  function vipRouter(healthy = true) {
    const lb: LoadBalancer = {
      name: 'web-lb', project: 'admin', subnet: 'b', vip: { text: '10.0.1.100', ip: { version: 4, value: BigInt(VIP) } }, vipPort: 'web-lb/vip', mode: 'dnat',
      listeners: [{ protocol: 'tcp', port: 80, pool: 'p' }],
      pools: [{ name: 'p', algorithm: 'round_robin', healthMonitor: null, members: [{ instance: 'web-1', port: 'web-1/eth0', address: { text: '10.0.1.3', ip: { version: 4, value: BigInt(B) } }, protocolPort: 8080, weight: 1, adminStateUp: true }] }],
    };
    const balancer = new Balancer(lb, VIP, (m) => Number(m.address.ip.value));
    if (!healthy) balancer.pools.get('p')!.members[0]!.health = 'down';
    const nat = new RouterNat({ gatewayPort: null, gatewayIp: null, snat: false, floatingIps: [], balancers: new Map([[VIP, balancer]]) });
    return { r: router({ nat }), member: balancer.pools.get('p')!.members[0]! };
  }

  it('a new connection to a listener gets a member, then is DNATed to it', () => {
    const f = fakeSim();
    const { r, member } = vipRouter();
    const h = hop(f.sim, tcp(A, VIP), r);
    expect(selectVipMember(h)).toBe(NEXT);
    expect(h.selection).toMatchObject({ kind: 'select', member: { member: { instance: 'web-1' } } });
    expect(translateDestination(h)).toBe(NEXT);
    expect(h.packet).toMatchObject({ dst: B, l4: { dport: 8080 } });
    expect(h.pre?.kind).toBe('dnat');
    expect(f.traced.map((t) => [t.stage, t.action])).toEqual([['lb.select', 'select'], ['nat.dnat', 'dnat']]);
    expect(member.connections).toBe(1);
  });

  it('not balanced: a port without a listener, ICMP, or a packet the router originates', () => {
    const f = fakeSim();
    const { r, member } = vipRouter();
    for (const h of [hop(f.sim, tcp(A, VIP, 443), r), hop(f.sim, ip(A, VIP, { proto: 'icmp', type: 8, code: 0, id: 1, seq: 1 }), r), hop(f.sim, tcp(A, VIP), r, null)]) {
      expect(selectVipMember(h)).toBe(NEXT);
      expect(h.selection).toBeUndefined();
      expect(translateDestination(h)).toBe(NEXT);
      expect(h.pre).toBeUndefined();
      expect(h.packet.dst).toBe(VIP);
    }
    expect(member.connections).toBe(0);
    expect(f.traced).toEqual([]);
  });

  it('no healthy member: refused with its reason, and the RST goes back from the VIP', () => {
    const f = fakeSim();
    const { r } = vipRouter(false);
    expect(selectVipMember(hop(f.sim, tcp(A, VIP), r))).toEqual({ next: false, reason: 'a load balancer VIP with no healthy member: refused' });
    expect(f.traced[0]).toMatchObject({ stage: 'lb.select', action: 'reject' });
    // The refusal is routed back to the client out of qr-a.
    expect(f.traced.find((t) => t.stage === 'router.route')).toMatchObject({ action: 'match', what: { src: VIP, dst: A, l4: { proto: 'tcp', flags: 0x14 } } });
  });

  it('nat.snat: nothing to do on a router without NAT, or for a flow NAT leaves alone', () => {
    const f = fakeSim();
    const plain = hop(f.sim, tcp(A, B));
    lookupRoute(plain);
    expect(translateSource(plain)).toBe(NEXT);
    const { r } = vipRouter();
    const h = hop(f.sim, tcp(A, B), r);
    lookupRoute(h);
    expect(translateSource(h)).toBe(NEXT);
    expect(h.packet).toEqual(tcp(A, B));
  });
});

describe('recording off', () => {
  // Simulator.trace drops events itself when not recording (the stages' own checks only save work).
  it('the same frames go out: no decision depends on recording', () => {
    const run = (recording: boolean) => {
      const f = fakeSim(recording);
      const r = router();
      for (const [dst, ttl] of [[B, 64], [FAR, 64], [NOWHERE, 64], [B, 1], [PUBLIC, 64], [0x0a000101, 64]] as const) {
        r.receive(f.sim, 'r/qr-a', { src: 0xfa163e0000aa, dst: MAC_A, payload: tcp(A, dst, 80, ttl) }, META);
      }
      return f;
    };
    const on = run(true);
    const off = run(false);
    expect(off.sent).toEqual(on.sent);
    expect(off.facts).toEqual(on.facts);
    expect(on.sent.length).toBeGreaterThan(0);
  });
});

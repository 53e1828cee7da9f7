/**
 * The load balancer node's health monitors (src/lb/lb-node.ts) driven by hand: a fake Sim
 * records the timers the node sets and the trace, the node's send is captured, and the test
 * fires the timers and hands answers to healthAnswer. A check is a TCP SYN (tcp, http) or an
 * echo request (ping) from the VIP; SYN-ACK or echo reply passes, RST, ICMP unreachable or no
 * answer within the timeout fails; retries_down failures in a row take a member down, retries
 * successes bring it back (Octavia's max_retries_down / max_retries).
 */
import { describe, expect, it } from 'vitest';
import type { FrameMeta, Sim } from '../../../src/engine/node-contract.js';
import { LB_PIPELINE } from '../../../src/engine/pipeline.js';
import { Balancer } from '../../../src/lb/balancer.js';
import { LbNode } from '../../../src/lb/lb-node.js';
import { ICMP, TCP_ACK, TCP_RST, TCP_SYN, type IpPacket } from '../../../src/packet/frame.js';
import { Flow } from '../../../src/packet/flow.js';
import { prefixValue } from '../../../src/packet/ip-value.js';
import type { HealthMonitor, LoadBalancer } from '../../../src/topology/model.js';

const VIP = 0x0a000064; // 10.0.0.100
const M0 = 0x0a00000a; // 10.0.0.10
const M1 = 0x0a00000b;
const S = 1_000_000;

interface Timer { readonly delay: number; readonly data: { kind: string; pool?: string; member?: number; check?: number } }

function setup(type: HealthMonitor['type'] = 'tcp', monitored = true) {
  const hm: HealthMonitor = { type, interval: 5, timeout: 2, retries: 2, retriesDown: 3, urlPath: '/' };
  const lb: LoadBalancer = {
    name: 'lb', project: 'admin', subnet: 'web', vip: { text: '10.0.0.100', ip: { version: 4, value: BigInt(VIP) } }, vipPort: 'lb/vip', mode: 'proxy',
    listeners: [{ protocol: 'tcp', port: 80, pool: 'p' }],
    pools: [
      { name: 'p', algorithm: 'round_robin', healthMonitor: monitored ? hm : null, members: [M0, M1].map((a, i) => ({ instance: `m${i}`, port: `m${i}/eth0`, address: { text: `10.0.0.${10 + i}`, ip: { version: 4 as const, value: BigInt(a) } }, protocolPort: 8080, weight: 1, adminStateUp: true })) },
    ],
  };
  const balancer = new Balancer(lb, VIP, (m) => Number(m.address.ip.value));
  const node = new LbNode('lb:lb', { port: 'lb/vip', mac: 0xfa163e000064, addrs: [{ ip: VIP, prefix: prefixValue(VIP, 24) }] }, balancer, LB_PIPELINE);
  const sent: { p: IpPacket; meta: FrameMeta }[] = [];
  node.send = (_s, p, meta) => { sent.push({ p, meta }); };
  const timers: Timer[] = [];
  const traced: { stage: string; action: string; what: unknown; detail: Record<string, unknown> }[] = [];
  const sim = {
    now: 0, recording: true, explainAll: false,
    trace: (_n: string, _p: string | null, stage: string, action: string, what: unknown, _m: FrameMeta, detail: Record<string, unknown> = {}) => { traced.push({ stage, action, what, detail }); },
    report: () => undefined, transmit: () => undefined,
    setTimer: (_node: string, delay: number, data: Timer['data']) => { timers.push({ delay, data }); return timers.length; },
    cancelTimer: () => undefined,
  } as unknown as Sim;
  const members = balancer.pools.get('p')!.members;
  /** Fires the check of member i now; returns the check packet it sent. */
  const check = (i: number): IpPacket => {
    node.timer(sim, { kind: 'health-check', pool: 'p', member: i, check: 0 });
    return sent.at(-1)!.p;
  };
  const answer = (p: IpPacket, flags: number): IpPacket => {
    if (p.l4.proto !== 'tcp') throw new Error('tcp check expected');
    return { kind: 'ip', version: 4, src: p.dst, dst: p.src, ttl: 64, l4: { proto: 'tcp', sport: p.l4.dport, dport: p.l4.sport, flags } };
  };
  const lastTimeout = () => timers.filter((t) => t.data.kind === 'health-timeout').at(-1)!;
  return { node, sim, sent, timers, traced, members, check, answer, lastTimeout };
}

describe('starting the monitors', () => {
  it('schedules one check per member at once; a pool without a monitor gets none', () => {
    const t = setup();
    t.node.start(t.sim);
    expect(t.timers).toEqual([{ delay: 0, data: { kind: 'health-check', pool: 'p', member: 0, check: 0 } }, { delay: 0, data: { kind: 'health-check', pool: 'p', member: 1, check: 0 } }]);
    const none = setup('tcp', false);
    none.node.start(none.sim);
    expect(none.timers).toEqual([]);
  });
});

describe('a TCP check', () => {
  it('is a SYN from the VIP to the member\'s port, from a health port; the next check and its timeout are scheduled', () => {
    const t = setup();
    const p = t.check(1);
    expect(p).toMatchObject({ src: VIP, dst: M1, ttl: 64, l4: { proto: 'tcp', sport: 33001, dport: 8080, flags: TCP_SYN } });
    expect(t.sent[0]!.meta).toEqual({ probe: 0, dir: 'control' });
    expect(t.timers).toEqual([
      { delay: 2 * S, data: { kind: 'health-timeout', pool: 'p', member: 1, check: 1 } },
      { delay: 5 * S, data: { kind: 'health-check', pool: 'p', member: 1, check: 0 } },
    ]);
    expect(t.traced[0]).toMatchObject({ stage: 'lb.health', action: 'check', what: p, detail: { pool: 'p', member: 'm1', type: 'tcp' } });
    // Each check has its own number and source port.
    expect(t.check(0).l4).toMatchObject({ sport: 33002 });
  });

  it('a SYN-ACK passes, a RST fails, each traced with the member, reason and counters', () => {
    const t = setup();
    expect(t.node.healthAnswer(t.sim, t.answer(t.check(0), TCP_SYN | TCP_ACK))).toBe(true);
    expect(t.traced.at(-1)).toMatchObject({ stage: 'lb.health', action: 'pass', what: 'p/m0 10.0.0.10:8080', detail: { why: 'connected (SYN-ACK)', failures: 0, successes: 1, health: 'up' } });
    expect(t.node.healthAnswer(t.sim, t.answer(t.check(0), TCP_RST | TCP_ACK))).toBe(true);
    expect(t.traced.at(-1)).toMatchObject({ action: 'fail', detail: { why: 'connection refused (RST)', failures: 1, successes: 0, health: 'up' } });
    expect(t.node.healthAnswer(t.sim, t.answer(t.check(0), TCP_ACK))).toBe(true);
    expect(t.traced.at(-1)).toMatchObject({ action: 'fail', detail: { why: 'unexpected answer', failures: 2 } });
  });

  it('an answer with no check pending, from the wrong port or to a port that is not a health port, is not a health answer', () => {
    const t = setup();
    const p = t.check(0);
    const a = t.answer(p, TCP_SYN | TCP_ACK);
    expect(t.node.healthAnswer(t.sim, { ...a, l4: { proto: 'tcp', sport: 8081, dport: 33001, flags: TCP_SYN | TCP_ACK } })).toBe(false);
    expect(t.node.healthAnswer(t.sim, { ...a, l4: { proto: 'tcp', sport: 8080, dport: 32999, flags: TCP_SYN | TCP_ACK } })).toBe(false);
    expect(t.node.healthAnswer(t.sim, { ...a, l4: { proto: 'tcp', sport: 8080, dport: 40000, flags: TCP_SYN | TCP_ACK } })).toBe(false);
    expect(t.node.healthAnswer(t.sim, { ...a, src: 0x0a00000c })).toBe(false);
    expect(t.node.healthAnswer(t.sim, a)).toBe(true);
    // Answered: a second answer finds no pending check.
    expect(t.node.healthAnswer(t.sim, a)).toBe(false);
    // Member 1 was never checked.
    expect(t.node.healthAnswer(t.sim, { ...a, src: M1 })).toBe(false);
  });

  it('the last health port is 39999 (33000 + 6999); a check\'s port wraps past it', () => {
    const t = setup();
    const a = t.answer(t.check(0), TCP_SYN | TCP_ACK);
    expect(t.node.healthAnswer(t.sim, { ...a, l4: { proto: 'tcp', sport: 8080, dport: 39999, flags: TCP_SYN | TCP_ACK } })).toBe(true);
    t.check(0);
    expect(t.node.healthAnswer(t.sim, { ...a, l4: { proto: 'tcp', sport: 8080, dport: 33000 + 7000, flags: TCP_SYN | TCP_ACK } })).toBe(false);
    for (let i = 0; i < 6997; i++) t.check(1);
    const first = t.check(1); // check 7000
    expect(first.l4).toMatchObject({ sport: 33000 });
    expect(t.node.healthAnswer(t.sim, t.answer(first, TCP_SYN | TCP_ACK))).toBe(true);
  });
});

describe('timeouts and the member\'s state', () => {
  it('no answer within the timeout fails the check; a timeout of an answered check does nothing', () => {
    const t = setup();
    t.check(0);
    t.node.timer(t.sim, t.lastTimeout().data);
    expect(t.traced.at(-1)).toMatchObject({ action: 'fail', detail: { why: 'no answer within 2 s', failures: 1 } });
    const before = t.traced.length;
    const p = t.check(0);
    t.node.healthAnswer(t.sim, t.answer(p, TCP_SYN | TCP_ACK));
    t.node.timer(t.sim, t.lastTimeout().data);
    expect(t.traced.length).toBe(before + 2); // the check and its pass, no fail
    expect(t.members[0]!.failures).toBe(0);
  });

  it('a timeout of an earlier check, after a newer one was sent, does nothing', () => {
    const t = setup();
    t.check(0);
    const stale = t.lastTimeout().data;
    t.check(0);
    t.node.timer(t.sim, stale);
    expect(t.members[0]!.failures).toBe(0);
  });

  it('retries_down (3) failures in a row take a member down; retries (2) successes bring it back', () => {
    const t = setup();
    const fail = () => t.node.healthAnswer(t.sim, t.answer(t.check(0), TCP_RST | TCP_ACK));
    const pass = () => t.node.healthAnswer(t.sim, t.answer(t.check(0), TCP_SYN | TCP_ACK));
    fail(); fail();
    expect(t.members[0]!.health).toBe('up');
    pass(); // a success in between starts the count again
    fail(); fail();
    expect(t.members[0]!.health).toBe('up');
    fail();
    expect(t.members[0]!.health).toBe('down');
    expect(t.traced.at(-1)).toMatchObject({ action: 'member-down', detail: { failures: 3, health: 'down' } });
    fail();
    expect(t.traced.at(-1)).toMatchObject({ action: 'fail', detail: { health: 'down' } });
    pass();
    expect(t.members[0]!.health).toBe('down');
    pass();
    expect(t.members[0]!.health).toBe('up');
    expect(t.traced.at(-1)).toMatchObject({ action: 'member-up', detail: { successes: 2, failures: 0 } });
    // The other member was never touched.
    expect(t.members[1]!).toMatchObject({ health: 'up', failures: 0, successes: 0 });
  });
});

describe('a ping check', () => {
  it('is an echo request with id 0xbeef and the check\'s number; an echo reply passes, an ICMP unreachable fails', () => {
    const t = setup('ping');
    const p = t.check(1);
    expect(p).toMatchObject({ src: VIP, dst: M1, l4: { proto: 'icmp', type: ICMP.v4.echoRequest, code: 0, id: 0xbeef, seq: 1 } });
    const reply: IpPacket = { kind: 'ip', version: 4, src: M1, dst: VIP, ttl: 64, l4: { proto: 'icmp', type: ICMP.v4.echoReply, code: 0, id: 0xbeef, seq: 1 } };
    expect(t.node.healthAnswer(t.sim, reply)).toBe(true);
    expect(t.traced.at(-1)).toMatchObject({ action: 'pass', detail: { why: 'echo reply' } });
    t.check(1);
    // The error comes from a router on the way: the member is the quoted packet's destination.
    const unreachable: IpPacket = { kind: 'ip', version: 4, src: 0x0a000001, dst: VIP, ttl: 64, l4: { proto: 'icmp', type: ICMP.v4.unreachable, code: ICMP.v4.codes.host, quoted: p } };
    expect(t.node.healthAnswer(t.sim, unreachable)).toBe(true);
    expect(t.traced.at(-1)).toMatchObject({ action: 'fail', detail: { why: 'ICMP unreachable' } });
  });

  it('an echo reply with another id is not the monitor\'s', () => {
    const t = setup('ping');
    t.check(0);
    expect(t.node.healthAnswer(t.sim, { kind: 'ip', version: 4, src: M0, dst: VIP, ttl: 64, l4: { proto: 'icmp', type: ICMP.v4.echoReply, code: 0, id: 0xbeee, seq: 1 } })).toBe(false);
    expect(t.node.healthAnswer(t.sim, { kind: 'ip', version: 4, src: M0, dst: VIP, ttl: 64, l4: { proto: 'icmp', type: ICMP.v4.echoRequest, code: 0, id: 0xbeef, seq: 1 } })).toBe(false);
  });
});

describe('client connections', () => {
  it('track numbers the node\'s ports toward members from 50001 and finds the connection both ways', () => {
    const t = setup();
    const flow = new Flow(6, 0x0a000005, 40000, VIP, 80);
    const m = t.members[1]!;
    const e = t.node.track(flow, 0x0a000005, 40000, 80, m);
    expect(e).toEqual({ client: 0x0a000005, clientPort: 40000, member: m, vipPort: 80, lbPort: 50001 });
    expect(t.node.byClient.get(flow)).toBe(e);
    expect(t.node.proxied.get(new Flow(6, VIP, 50001, M1, 8080))).toBe(e);
    expect(t.node.track(new Flow(6, 0x0a000006, 40000, VIP, 80), 0x0a000006, 40000, 80, m).lbPort).toBe(50002);
  });
});

describe('IPv6 members', () => {
  const M6 = 0x20010db8000000000000000000000010n;
  const VIP6 = 0x20010db8000000000000000000000064n;

  function v6(type: HealthMonitor['type'], vipHasV6: boolean) {
    const hm: HealthMonitor = { type, interval: 5, timeout: 2, retries: 2, retriesDown: 3, urlPath: '/' };
    const lb: LoadBalancer = {
      name: 'lb', project: 'admin', subnet: 'web', vip: { text: '10.0.0.100', ip: { version: 4, value: BigInt(VIP) } }, vipPort: 'lb/vip', mode: 'proxy',
      listeners: [{ protocol: 'tcp', port: 80, pool: 'p' }],
      pools: [{ name: 'p', algorithm: 'round_robin', healthMonitor: hm, members: [{ instance: 'm6', port: 'm6/eth0', address: { text: '2001:db8::10', ip: { version: 6, value: M6 } }, protocolPort: 8080, weight: 1, adminStateUp: true }] }],
    };
    const balancer = new Balancer(lb, VIP, (m) => m.address.ip.value);
    const addrs = [{ ip: VIP, prefix: prefixValue(VIP, 24) }, ...(vipHasV6 ? [{ ip: VIP6, prefix: prefixValue(VIP6, 64) }] : [])];
    const node = new LbNode('lb:lb', { port: 'lb/vip', mac: 0xfa163e000064, addrs }, balancer, LB_PIPELINE);
    const sent: IpPacket[] = [];
    node.send = (_s, p) => { sent.push(p); };
    const traced: unknown[] = [];
    const sim = { now: 0, recording: true, explainAll: false, trace: (...a: unknown[]) => { traced.push(a); }, report: () => undefined, transmit: () => undefined, setTimer: () => 0, cancelTimer: () => undefined } as unknown as Sim;
    node.timer(sim, { kind: 'health-check', pool: 'p', member: 0, check: 0 });
    return { node, sim, sent, member: balancer.pools.get('p')!.members[0]! };
  }

  it('are checked from the VIP\'s IPv6 address; an ICMPv6 echo reply passes', () => {
    const t = v6('ping', true);
    expect(t.sent).toEqual([{ kind: 'ip', version: 6, src: VIP6, dst: M6, ttl: 64, l4: { proto: 'icmp', type: ICMP.v6.echoRequest, code: 0, id: 0xbeef, seq: 1 } }]);
    expect(t.node.healthAnswer(t.sim, { kind: 'ip', version: 6, src: M6, dst: VIP6, ttl: 64, l4: { proto: 'icmp', type: ICMP.v6.echoReply, code: 0, id: 0xbeef, seq: 1 } })).toBe(true);
    expect(t.member.successes).toBe(1);
  });

  it('a load balancer without an IPv6 address sends no check to an IPv6 member', () => {
    expect(v6('tcp', false).sent).toEqual([]);
  });
});

describe('neighbour resolution', () => {
  it('a neighbour retry timer goes to the node\'s resolver: the ARP request is sent again', () => {
    const t = setup();
    const transmitted: unknown[] = [];
    (t.sim as { transmit: unknown }).transmit = (_from: string, _port: string, frame: unknown) => { transmitted.push(frame); };
    const real = new LbNode('lb:lb', t.node.iface, t.node.balancer, LB_PIPELINE);
    real.routes.add({ prefix: prefixValue(VIP, 24), port: 'lb/vip', nexthop: null, kind: 'connected', text: '10.0.0.0/24 dev vip' });
    real.timer(t.sim, { kind: 'health-check', pool: 'p', member: 0, check: 0 });
    expect(transmitted).toHaveLength(1); // the ARP request for the member; the check waits for the answer
    real.timer(t.sim, { kind: 'neighbor-retry', port: 'lb/vip', ip: M0 });
    expect(transmitted).toHaveLength(2);
    expect(transmitted[1]).toMatchObject({ payload: { kind: 'arp', op: 'request', targetIp: M0 } });
  });
});

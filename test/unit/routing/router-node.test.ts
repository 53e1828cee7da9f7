/**
 * RouterNode's own methods (src/routing/router.ts), beside the stages that call them: a network
 * ACL's allow, deny and lifted deny with their reasons; the router's own address answered like a
 * host (delivered, refused, ignored, an ICMP error for itself); ICMP errors back to the sender
 * (types and codes in both families, the source address chosen from the route back, the
 * interface it came in on or any interface, never about an ICMP error or across families); a
 * next hop that never answers; NAT's trace and report. From npm run mutate's survivors.
 */
import { describe, expect, it } from 'vitest';
import type { FrameMeta, Sim } from '../../../src/engine/node-contract.js';
import { ROUTER_PIPELINE, ROUTER_RECEIVE_PIPELINE } from '../../../src/engine/pipeline.js';
import type { AclEvaluator } from '../../../src/firewall/network-acl.js';
import type { L3Interface } from '../../../src/l3/l3-interface.js';
import type { Frame, IpPacket, L4 } from '../../../src/packet/frame.js';
import { prefixValue, type IpValue } from '../../../src/packet/ip-value.js';
import { RouterNat, type Translation } from '../../../src/routing/nat.js';
import { RouterNode, type RouterOptions } from '../../../src/routing/router.js';
import type { VerdictFact } from '../../../src/trace/verdict-reducer.js';

const FORWARD: FrameMeta = { probe: 7, dir: 'forward' };
const REPLY: FrameMeta = { probe: 7, dir: 'reply' };
const A = 0x0a000002; // 10.0.0.2, on qr-a
const B = 0x0a000103; // 10.0.1.3, on qr-b
const NOWHERE = 0x09090909; // no route back
const OWN_A = 0x0a000001;
const OWN_B = 0x0a000101;
const V6_NET = 0x20010db8000000000000000000000000n;
const V6_OWN = V6_NET + 1n; // 2001:db8::1, on qr-c
const V6_HOST = V6_NET + 5n; // 2001:db8::5
const MAC_A = 0xfa163e000001;

interface Traced { port: string | null; stage: string; action: string; what: unknown; dir: string; detail: Record<string, unknown> }

function fakeSim(opts: { recording?: boolean; explainAll?: boolean } = {}) {
  const traced: Traced[] = [];
  const facts: VerdictFact[] = [];
  const sent: { port: string; frame: Frame }[] = [];
  const timers: unknown[] = [];
  const sim = {
    now: 0, recording: opts.recording ?? true, explainAll: opts.explainAll ?? false,
    trace: (_node: string, port: string | null, stage: string, action: string, what: unknown, m: FrameMeta, detail: Record<string, unknown> = {}) => { traced.push({ port, stage, action, what, dir: m.dir, detail }); },
    report: (_m: FrameMeta, f: VerdictFact) => { facts.push(f); },
    transmit: (_from: string, port: string, frame: Frame) => { sent.push({ port, frame }); },
    setTimer: (_node: string, _delay: number, data: unknown) => { timers.push(data); return timers.length; },
    cancelTimer: () => undefined,
  } as unknown as Sim;
  return { sim, traced, facts, sent, timers };
}

const v4 = (port: string, mac: number, ip: number): L3Interface => ({ port, mac, addrs: [{ ip, prefix: prefixValue(ip, 24) }] });
const v6 = (port: string, mac: number, ip: bigint): L3Interface => ({ port, mac, addrs: [{ ip, prefix: prefixValue(ip, 64) }] });

/**
 * qr-c (IPv6 only, listed first so that "any interface" must skip it for IPv4), qr-a 10.0.0.0/24,
 * qr-b 10.0.1.0/24; `withV6` false leaves qr-c out.
 */
function router(extra: Partial<RouterOptions> = {}, withV6 = true): RouterNode {
  const ifaces: [string, L3Interface][] = [['r/qr-a', v4('r/qr-a', MAC_A, OWN_A)], ['r/qr-b', v4('r/qr-b', 0xfa163e000002, OWN_B)]];
  if (withV6) ifaces.unshift(['r/qr-c', v6('r/qr-c', 0xfa163e000003, V6_OWN)]);
  const r = new RouterNode('router:r', new Map(ifaces), { stages: ROUTER_PIPELINE, receive: ROUTER_RECEIVE_PIPELINE, ...extra });
  r.routes.add({ prefix: prefixValue(0x0a000000, 24), port: 'r/qr-a', nexthop: null, kind: 'connected', text: '10.0.0.0/24 connected via qr-a' });
  r.routes.add({ prefix: prefixValue(0x0a000100, 24), port: 'r/qr-b', nexthop: null, kind: 'connected', text: '10.0.1.0/24 connected via qr-b' });
  if (withV6) r.routes.add({ prefix: prefixValue(V6_NET, 64), port: 'r/qr-c', nexthop: null, kind: 'connected', text: '2001:db8::/64 connected via qr-c' });
  return r;
}

const packet = (src: IpValue, dst: IpValue, l4: L4, ttl = 64): IpPacket => ({ kind: 'ip', version: typeof src === 'number' ? 4 : 6, src, dst, ttl, l4 });
const syn = (src: IpValue, dst: IpValue) => packet(src, dst, { proto: 'tcp', sport: 40001, dport: 80, flags: 2 });
const echo = (src: IpValue, dst: IpValue) => packet(src, dst, { proto: 'icmp', type: typeof src === 'number' ? 8 : 128, code: 0, id: 1, seq: 1 });

/** The ICMP errors the router originated (traced as host.reply). */
const errors = (traced: Traced[]) => traced.filter((t) => t.stage === 'host.reply' && t.action === 'icmp-error');

describe('aclAllows', () => {
  function withAcl(action: 'allow' | 'deny', rule: boolean) {
    const evaluator = { acl: { name: 'edge' }, evaluate: () => ({ action, rule: rule ? { text: `100 ${action} tcp` } : undefined }) } as unknown as AclEvaluator;
    return router({ acls: new Map([['r/qr-a', { subnet: 'front', evaluator }]]) });
  }

  it('a port without an ACL allows, untraced', () => {
    const f = fakeSim();
    expect(router().aclAllows(f.sim, syn(A, B), FORWARD, 'r/qr-a', 'egress')).toBe(true);
    expect(f.traced).toEqual([]);
    expect(f.facts).toEqual([]);
  });

  it('an allow is traced with the ACL, the subnet, the direction and the rule', () => {
    const f = fakeSim();
    expect(withAcl('allow', true).aclAllows(f.sim, syn(A, B), FORWARD, 'r/qr-a', 'ingress')).toBe(true);
    expect(f.traced).toEqual([{ port: 'r/qr-a', stage: 'acl', action: 'allow', what: syn(A, B), dir: 'forward', detail: { acl: 'edge', subnet: 'front', direction: 'ingress', rule: '100 allow tcp' } }]);
    expect(f.facts).toEqual([]);
  });

  it('a rule\'s deny: blocked as dropped at acl, its reason naming the ACL, subnet, direction and rule', () => {
    const f = fakeSim();
    expect(withAcl('deny', true).aclAllows(f.sim, syn(A, B), FORWARD, 'r/qr-a', 'egress')).toBe(false);
    expect(f.facts).toEqual([{ kind: 'blocked', outcome: { kind: 'dropped', node: 'router:r', stage: 'acl', reason: 'network ACL edge of subnet front (egress): rule 100 deny tcp' } }]);
    expect(f.traced).toEqual([{ port: 'r/qr-a', stage: 'acl', action: 'deny', what: syn(A, B), dir: 'forward', detail: { acl: 'edge', subnet: 'front', direction: 'egress', rule: '100 deny tcp' } }]);
  });

  it('no rule matched: the implicit * deny, named in the reason and the trace', () => {
    const f = fakeSim();
    expect(withAcl('deny', false).aclAllows(f.sim, syn(A, B), FORWARD, 'r/qr-a', 'egress')).toBe(false);
    expect(f.facts).toEqual([{ kind: 'blocked', outcome: { kind: 'dropped', node: 'router:r', stage: 'acl', reason: 'network ACL edge of subnet front (egress): no rule matches, the implicit * deny applies' } }]);
    expect(f.traced[0]).toMatchObject({ action: 'deny', detail: { rule: '* deny (no rule matched)' } });
  });

  it('explaining every blocker: a forward packet\'s deny is lifted (it goes on), a reply\'s is not', () => {
    const f = fakeSim({ explainAll: true });
    const r = withAcl('deny', true);
    expect(r.aclAllows(f.sim, syn(A, B), FORWARD, 'r/qr-a', 'egress')).toBe(true);
    expect(r.aclAllows(f.sim, syn(A, B), REPLY, 'r/qr-a', 'egress')).toBe(false);
    expect(f.traced.map((t) => t.action)).toEqual(['deny-lifted', 'deny']);
    expect(f.facts.map((x) => x.kind)).toEqual(['blocked', 'blocked']);
  });
});

describe('local: a packet for one of the router\'s addresses', () => {
  it('an echo request is delivered (observed, outcome) and answered back to the sender as a reply', () => {
    const f = fakeSim();
    router().local(f.sim, echo(A, OWN_A), FORWARD, 'r/qr-a');
    expect(f.traced[0]).toEqual({ port: 'r/qr-a', stage: 'host.receive', action: 'accept', what: echo(A, OWN_A), dir: 'forward', detail: { reason: 'echo request answered' } });
    expect(f.facts).toEqual([
      { kind: 'observed', packet: echo(A, OWN_A) },
      { kind: 'outcome', outcome: { kind: 'delivered', node: 'router:r', stage: 'host.receive', reason: 'echo request answered' } },
    ]);
    // The answer is routed back (router.route) as a reply from the address pinged.
    expect(f.traced.find((t) => t.stage === 'router.route')).toMatchObject({ dir: 'reply', what: { src: OWN_A, dst: A, l4: { type: 0 } } });
  });

  it('a TCP SYN is refused (nothing listens on a router), and the RST goes back', () => {
    const f = fakeSim();
    router().local(f.sim, syn(A, OWN_B), FORWARD, 'r/qr-a');
    expect(f.traced[0]).toMatchObject({ stage: 'host.receive', action: 'refuse', detail: { reason: 'nothing listens on tcp/80' } });
    expect(f.facts[1]).toEqual({ kind: 'outcome', outcome: { kind: 'refused', node: 'router:r', stage: 'host.receive', reason: 'nothing listens on tcp/80' } });
    expect(f.traced.find((t) => t.stage === 'router.route')).toMatchObject({ dir: 'reply', what: { src: OWN_B, dst: A, l4: { proto: 'tcp', flags: 0x14 } } });
  });

  it('a packet travelling as a reply is answered but sets no verdict', () => {
    const f = fakeSim();
    router().local(f.sim, echo(A, OWN_A), REPLY, 'r/qr-a');
    expect(f.facts).toEqual([]);
    expect(f.traced.filter((t) => t.stage === 'router.route')).toHaveLength(1);
  });

  it('an ICMP type the stack ignores, or an answer to nothing it sent: traced, no verdict, nothing back', () => {
    const f = fakeSim();
    const r = router();
    r.local(f.sim, packet(A, OWN_A, { proto: 'icmp', type: 13, code: 0 }), FORWARD, 'r/qr-a');
    r.local(f.sim, packet(A, OWN_A, { proto: 'icmp', type: 0, code: 0, id: 1, seq: 1 }), FORWARD, 'r/qr-a');
    expect(f.traced.map((t) => [t.stage, t.action, t.detail])).toEqual([
      ['host.receive', 'ignore', { reason: 'ICMP type 13 not handled' }],
      ['host.receive', 'answer', { reason: 'echo reply' }],
    ]);
    expect(f.facts).toEqual([]);
  });

  it('an ICMP error for the router itself is ignored with its reason: no verdict, no answer', () => {
    const f = fakeSim();
    const error = packet(B, OWN_A, { proto: 'icmp', type: 3, code: 1, quoted: syn(OWN_A, B) });
    router().local(f.sim, error, FORWARD, 'r/qr-b');
    expect(f.traced).toEqual([{ port: 'r/qr-b', stage: 'host.receive', action: 'ignore', what: error, dir: 'forward', detail: { reason: 'ICMP error for the router itself' } }]);
    expect(f.facts).toEqual([]);
  });
});

describe('icmpError', () => {
  const cases = [
    { why: 'ttl', src: A, type: 11, code: 0 },
    { why: 'net', src: A, type: 3, code: 0 },
    { why: 'host', src: A, type: 3, code: 1 },
    { why: 'ttl', src: V6_HOST, type: 3, code: 0 },
    { why: 'net', src: V6_HOST, type: 1, code: 0 },
    { why: 'host', src: V6_HOST, type: 1, code: 3 },
  ] as const;
  for (const c of cases) {
    it(`${c.why} for an IPv${typeof c.src === 'number' ? 4 : 6} sender: type ${c.type} code ${c.code}, quoting the packet, from the interface towards it, as a reply`, () => {
      const f = fakeSim();
      const p = syn(c.src, typeof c.src === 'number' ? B : V6_NET + 9n);
      const inPort = typeof c.src === 'number' ? 'r/qr-a' : 'r/qr-c';
      router().icmpError(f.sim, p, FORWARD, c.why, inPort);
      expect(errors(f.traced)).toEqual([{
        port: inPort, stage: 'host.reply', action: 'icmp-error', dir: 'reply', detail: {},
        what: { kind: 'ip', version: p.version, src: typeof c.src === 'number' ? OWN_A : V6_OWN, dst: c.src, ttl: 64, l4: { proto: 'icmp', type: c.type, code: c.code, quoted: p } },
      }]);
      // ... and routed back to the sender.
      expect(f.traced.find((t) => t.stage === 'router.route')).toMatchObject({ dir: 'reply', what: { dst: c.src } });
    });
  }

  it('the source is the interface of the route back, not the one the packet came in on', () => {
    const f = fakeSim();
    router().icmpError(f.sim, syn(B, A), FORWARD, 'ttl', 'r/qr-a');
    expect(errors(f.traced)[0]?.what).toMatchObject({ src: OWN_B, dst: B });
  });

  it('no route back: from the interface it came in on, else from any interface with an address of its family', () => {
    const f = fakeSim();
    const r = router();
    r.icmpError(f.sim, syn(NOWHERE, A), FORWARD, 'net', 'r/qr-b');
    r.icmpError(f.sim, syn(NOWHERE, A), FORWARD, 'net', null);
    expect(errors(f.traced).map((t) => (t.what as IpPacket).src)).toEqual([OWN_B, OWN_A]);
  });

  it('never about an ICMP error, and never across families (no IPv6 address to send from)', () => {
    const f = fakeSim();
    router().icmpError(f.sim, packet(A, B, { proto: 'icmp', type: 3, code: 1, quoted: syn(B, A) }), FORWARD, 'ttl', 'r/qr-a');
    router({}, false).icmpError(f.sim, syn(V6_HOST, V6_NET + 9n), FORWARD, 'ttl', 'r/qr-a');
    expect(f.traced).toEqual([]);
    expect(f.sent).toEqual([]);
  });

  it('an ICMP echo (not an error) still gets one', () => {
    const f = fakeSim();
    router().icmpError(f.sim, echo(A, B), FORWARD, 'ttl', 'r/qr-a');
    expect(errors(f.traced)).toHaveLength(1);
  });
});

describe('a next hop that never answers', () => {
  for (const family of [4, 6] as const) {
    it(`IPv${family}: after the last retry, unreachable at ${family === 4 ? 'arp' : 'nd'} naming the next hop, and ICMP host unreachable back`, () => {
      const f = fakeSim();
      const r = router();
      // The sender is on qr-a / qr-c; the destination on the same interface's subnet never answers.
      const [src, dst, port, text] = family === 4 ? [A, B, 'r/qr-b', '10.0.1.3'] : [V6_HOST, V6_NET + 9n, 'r/qr-c', '2001:db8::9'];
      r.forward(f.sim, syn(src, dst), FORWARD, family === 4 ? 'r/qr-a' : 'r/qr-c');
      expect(f.timers).toHaveLength(1);
      for (let i = 0; i < 3; i++) r.timer(f.sim, f.timers[i]);
      expect(f.facts).toEqual([{ kind: 'outcome', outcome: { kind: 'unreachable', node: 'router:r', stage: family === 4 ? 'arp' : 'nd', reason: `next hop ${text} did not answer on ${port}` } }]);
      expect(errors(f.traced)[0]?.what).toMatchObject({ dst: src, l4: { type: family === 4 ? 3 : 1, code: family === 4 ? 1 : 3 } });
    });
  }

  it('a timer that is not a neighbour retry is ignored', () => {
    const f = fakeSim();
    const r = router();
    r.forward(f.sim, syn(A, B), FORWARD, 'r/qr-a');
    const before = f.traced.length;
    r.timer(f.sim, { kind: 'something-else', port: 'r/qr-b', ip: B });
    expect(f.traced).toHaveLength(before);
  });
});

describe('refuse, traceNat and nat', () => {
  it('a refusal is routed back as a reply the router originates', () => {
    const f = fakeSim();
    router().refuse(f.sim, syn(OWN_B, A), FORWARD);
    expect(f.traced.find((t) => t.stage === 'router.route')).toMatchObject({ port: null, dir: 'reply', what: { dst: A } });
  });

  const translation = (complete: boolean, action?: string): Translation => ({ kind: 'snat', packet: syn(OWN_B, B), from: '10.0.0.2:40001', to: '10.0.1.1:40001', why: 'router SNAT', complete, ...(action ? { action } : {}) });

  it('traceNat: traced with from, to, why and the packet before; a new translation is reported, a tracked one not', () => {
    const f = fakeSim();
    const r = router();
    expect(r.traceNat(f.sim, syn(A, B), translation(false), FORWARD, 'r/qr-b', 'nat.snat')).toEqual(syn(OWN_B, B));
    r.traceNat(f.sim, syn(A, B), translation(true, 'tracked'), FORWARD, 'r/qr-b', 'nat.snat');
    expect(f.traced.map((t) => [t.port, t.stage, t.action, t.detail])).toEqual([
      ['r/qr-b', 'nat.snat', 'snat', { from: '10.0.0.2:40001', to: '10.0.1.1:40001', why: 'router SNAT', before: '10.0.0.2:40001 → 10.0.1.3:80 TCP SYN' }],
      ['r/qr-b', 'nat.snat', 'tracked', expect.objectContaining({ why: 'router SNAT' })],
    ]);
    expect(f.facts).toEqual([{ kind: 'translated', entry: { node: 'router:r', kind: 'snat', from: '10.0.0.2:40001', to: '10.0.1.1:40001' } }]);
  });

  it('traceNat with recording off: nothing traced (no summary built), the translation still reported', () => {
    const f = fakeSim({ recording: false });
    router().traceNat(f.sim, syn(A, B), translation(false), FORWARD, 'r/qr-b', 'nat.snat');
    expect(f.traced).toEqual([]);
    expect(f.facts).toHaveLength(1);
  });

  it('nat is the NAT the router was built with, or none', () => {
    const nat = new RouterNat({ gatewayPort: null, gatewayIp: null, snat: false, floatingIps: [], balancers: new Map() });
    expect(router({ nat }).nat).toBe(nat);
    expect(router().nat).toBeUndefined();
  });
});

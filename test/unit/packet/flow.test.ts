/**
 * Flow (src/packet/flow.ts): the reverse of a packet's flow is the flow of its reply, reversing
 * twice gives the flow back, an echo request's reverse is a reply's flow and never a request's,
 * and the canonical key tells flows apart exactly when their fields differ.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FLOW_PROTO, Flow, flowProtoName } from '../../../src/packet/flow.js';
import { ICMP, type IpPacket, type L4 } from '../../../src/packet/frame.js';
import type { IpValue } from '../../../src/packet/ip-value.js';
import { ipPacket } from '../../../src/testing/arbitraries.js';

const A = 0x0a000002;
const B = 0x0a000103;
const A6 = (0x20010db8n << 96n) | 2n;
const B6 = (0x20010db8n << 96n) | 3n;

const ip = (src: IpValue, dst: IpValue, l4: L4): IpPacket => ({ kind: 'ip', version: typeof src === 'number' ? 4 : 6, src, dst, ttl: 64, l4 });
const echo = (src: IpValue, dst: IpValue, id: number, reply = false) => {
  const v = typeof src === 'number' ? ICMP.v4 : ICMP.v6;
  return ip(src, dst, { proto: 'icmp', type: reply ? v.echoReply : v.echoRequest, code: 0, id, seq: 1 });
};
/** The packet a TCP/UDP peer sends back: addresses and ports swapped. */
const answer = (p: IpPacket): IpPacket => {
  const l4 = p.l4;
  return ip(p.dst, p.src, l4.proto === 'icmp' ? l4 : { ...l4, sport: l4.dport, dport: l4.sport });
};
const fields = (f: Flow) => ({ proto: f.proto, src: f.src, sport: f.sport, dst: f.dst, dport: f.dport });

const flow: fc.Arbitrary<Flow> = fc
  .tuple(
    fc.constantFrom(1, 2, 3, 6, 17),
    fc.oneof(fc.constantFrom(A, B, 0, 1), fc.constantFrom(A6, B6, 1n)),
    fc.constantFrom(0, 1, 40001, 65535),
    fc.oneof(fc.constantFrom(A, B, 1), fc.constantFrom(A6, 1n)),
    fc.constantFrom(0, 22, 65535),
  )
  .map(([proto, src, sport, dst, dport]) => new Flow(proto, src, sport, dst, dport));

describe('Flow', () => {
  it('the reverse of a TCP/UDP packet\'s flow is the flow of its answer', () => {
    fc.assert(
      fc.property(ipPacket(), (p) => {
        if (p.l4.proto === 'icmp') return;
        expect(fields(Flow.of(answer(p)))).toEqual(fields(Flow.of(p).reverse()));
        expect(fields(Flow.of(answer(p)).reverse())).toEqual(fields(Flow.of(p)));
      }),
      { numRuns: 300 },
    );
  });

  it('reversing twice gives the flow back', () => {
    fc.assert(fc.property(flow, (f) => { expect(fields(f.reverse().reverse())).toEqual(fields(f)); }), { numRuns: 300 });
  });

  it('an echo request\'s reverse is its reply\'s flow, never a request\'s (nf_conntrack_proto_icmp)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 0xffff }), fc.boolean(), (v6, id, asReply) => {
        const [a, b] = v6 ? [A6, B6] : [A, B];
        const p = echo(a, b, id, asReply);
        expect(Flow.of(echo(b, a, id, !asReply)).key).toBe(Flow.of(p).reverse().key);
        expect(Flow.of(echo(b, a, id, asReply)).key).not.toBe(Flow.of(p).reverse().key);
        expect(Flow.of(p).sport).toBe(id);
        expect(Flow.of(p).dport).toBe(id);
      }),
      { numRuns: 200 },
    );
  });

  it('keys are equal exactly when the fields are', () => {
    const same = (f: Flow, g: Flow) => f.proto === g.proto && f.src === g.src && f.sport === g.sport && f.dst === g.dst && f.dport === g.dport;
    fc.assert(fc.property(flow, flow, (f, g) => { expect(f.key === g.key).toBe(same(f, g)); }), { numRuns: 500 });
    // An IPv4 address and an IPv6 one of the same value are different flows.
    expect(new Flow(FLOW_PROTO.tcp, 1, 0, A, 0).key).not.toBe(new Flow(FLOW_PROTO.tcp, 1n, 0, A, 0).key);
  });

  it('an ICMP flow\'s id is both ports: a new source moves both', () => {
    const f = Flow.of(echo(A, B, 7)).withSource(B6, 9);
    expect([f.sport, f.dport]).toEqual([9, 9]);
    const t = new Flow(FLOW_PROTO.tcp, A, 40001, B, 80).withSource(B, 1024);
    expect([t.sport, t.dport]).toEqual([1024, 80]);
  });

  it('texts: conntrack\'s and NAT\'s views, and the protocol names node state shows', () => {
    const t = new Flow(FLOW_PROTO.tcp, A, 40001, B, 80);
    expect(t.text).toBe('tcp 10.0.0.2:40001 → 10.0.1.3:80');
    expect(t.endpoints).toBe('10.0.0.2:40001 → 10.0.1.3:80');
    const e = Flow.of(echo(A, B, 7));
    expect(e.text).toBe('icmp 10.0.0.2 → 10.0.1.3 id=7');
    expect(e.endpoints).toBe('10.0.0.2 → 10.0.1.3');
    expect([1, 2, 3, 6, 17].map(flowProtoName)).toEqual(['icmp-request', 'icmp-reply', 'icmp', 'tcp', 'udp']);
  });
});

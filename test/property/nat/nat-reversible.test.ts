// NAT translations are reversible: whatever a router does to a packet on its way (router SNAT,
// floating IP SNAT/DNAT, port forwarding, hairpin), the reply to the translated packet is
// translated back into exactly the reply to the original; and no two flows share a translated
// tuple, so replies can never be confused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_SYN, type IpPacket } from '../../../src/packet/frame.js';
import { RouterNat } from '../../../src/routing/nat.js';

const GW = 0xcb00710a; // 203.0.113.10
const FIP = 0xcb00710b; // 203.0.113.11 → 10.0.0.2
const FIXED = 0x0a000002;
const PF = 0xcb00710c; // 203.0.113.12: tcp/2222 → 10.0.0.3:22

function router(): RouterNat {
  return new RouterNat({
    gatewayPort: 'r/qg', gatewayIp: GW, snat: true,
    floatingIps: [
      { name: 'fip', floating: FIP, fixed: FIXED, forwardings: [] },
      { name: 'pf', floating: PF, fixed: null, forwardings: [{ proto: 'tcp', externalPort: 2222, internal: 0x0a000003, internalPort: 22 }] },
    ],
  });
}

const inside = fc.constantFrom(0x0a000002, 0x0a000003, 0x0a000004, 0x0a000105);
const outside = fc.constantFrom(0xc6336407, 0xc0000232, 0x08080808);
// Mostly a few common ports, so that different flows often compete for the same translated tuple.
const port = fc.oneof({ arbitrary: fc.constantFrom(22, 80, 40001), weight: 9 }, { arbitrary: fc.integer({ min: 1, max: 65535 }), weight: 1 });
const l4 = fc.oneof(
  fc.record({ proto: fc.constant('tcp' as const), sport: port, dport: port, flags: fc.constant(TCP_SYN) }),
  fc.record({ proto: fc.constant('udp' as const), sport: port, dport: port }),
  fc.record({ proto: fc.constant('icmp' as const), type: fc.constant(8), code: fc.constant(0), id: fc.integer({ min: 0, max: 65535 }), seq: fc.constant(1) }),
);
/** A flow: outbound from inside, inbound to a floating IP, or hairpin to a floating IP. */
const flow = fc.oneof(
  fc.record({ src: inside, dst: outside, l4, inPort: fc.constant('r/qr'), outPort: fc.constant('r/qg') }),
  fc.record({ src: outside, dst: fc.constant(FIP), l4, inPort: fc.constant('r/qg'), outPort: fc.constant('r/qr') }),
  // A port-forwarding-only floating IP takes just its forwarded port (anything else has no owner).
  fc.record({ src: outside, dst: fc.constant(PF), l4: fc.record({ proto: fc.constant('tcp' as const), sport: port, dport: fc.constant(2222), flags: fc.constant(TCP_SYN) }), inPort: fc.constant('r/qg'), outPort: fc.constant('r/qr') }),
  fc.record({ src: inside, dst: fc.constant(FIP), l4, inPort: fc.constant('r/qr'), outPort: fc.constant('r/qr') }),
);

function packet(f: { src: number; dst: number; l4: IpPacket['l4'] }): IpPacket {
  return { kind: 'ip', version: 4, src: f.src, dst: f.dst, ttl: 64, l4: f.l4 };
}

/** The answer a host sends back to a packet: addresses and ports swapped. */
function answer(p: IpPacket): IpPacket {
  const l = p.l4;
  const back = l.proto === 'icmp' ? { ...l, type: 0 } : l.proto === 'tcp' ? { ...l, sport: l.dport, dport: l.sport, flags: TCP_SYN | TCP_ACK } : { ...l, sport: l.dport, dport: l.sport };
  return { ...p, src: p.dst, dst: p.src, l4: back };
}

function through(nat: RouterNat, p: IpPacket, inPort: string, outPort: string): IpPacket {
  const pre = nat.prerouting(p);
  const mid = pre?.packet ?? p;
  const post = nat.postrouting(mid, inPort, outPort, pre);
  return post?.packet ?? mid;
}

const key = (p: IpPacket) => {
  const l = p.l4;
  return l.proto === 'icmp' ? `icmp|${p.src}|${p.dst}|${l.id}` : `${l.proto}|${p.src}|${l.sport}|${p.dst}|${l.dport}`;
};

describe('NAT translations are reversible', () => {
  it('the reply to a translated packet comes back as the reply to the original', () => {
    fc.assert(fc.property(fc.array(flow, { minLength: 1, maxLength: 30 }), (flows) => {
      const nat = router();
      for (const f of flows) {
        const original = packet(f);
        const out = through(nat, original, f.inPort, f.outPort);
        // The reply enters where the packet left and leaves where it came in.
        const back = through(nat, answer(out), f.outPort, f.inPort);
        const expected = answer(original);
        expect(key(back)).toBe(key(expected));
      }
    }), { numRuns: 300 });
  });

  it('no two live flows share a translated tuple', () => {
    fc.assert(fc.property(fc.array(flow, { minLength: 2, maxLength: 40 }), (flows) => {
      const nat = router();
      const seen = new Map<string, string>();
      for (const f of flows) {
        const original = packet(f);
        const out = through(nat, original, f.inPort, f.outPort);
        const k = key(out);
        const prior = seen.get(k);
        // The same original flow may repeat; a different one must not land on the same tuple.
        if (prior !== undefined) expect(prior).toBe(key(original));
        seen.set(k, key(original));
      }
    }), { numRuns: 300 });
  });

  it('outbound SNAT keeps the source port when it is free and moves it when it is taken', () => {
    const nat = router();
    const a = through(nat, packet({ src: 0x0a000004, dst: 0x08080808, l4: { proto: 'tcp', sport: 40001, dport: 443, flags: TCP_SYN } }), 'r/qr', 'r/qg');
    const b = through(nat, packet({ src: 0x0a000005, dst: 0x08080808, l4: { proto: 'tcp', sport: 40001, dport: 443, flags: TCP_SYN } }), 'r/qr', 'r/qg');
    expect(a.src).toBe(GW);
    expect(a.l4.proto === 'tcp' && a.l4.sport).toBe(40001);
    expect(b.src).toBe(GW);
    expect(b.l4.proto === 'tcp' && b.l4.sport).not.toBe(40001);
  });
});

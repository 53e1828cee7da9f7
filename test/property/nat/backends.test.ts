// The two Neutron back ends' router NAT (src/routing/nat.ts), as properties over random flows
// (outbound, inbound to a floating IP, hairpin to a floating IP) from sources in attached
// subnets, behind another router, or with a floating IP of their own:
// - they agree, packet for packet, whenever every source is in an attached subnet and snat is on;
// - OVN never SNATs to the gateway a source that no snat row covers, nor anything with snat off;
// - under OVN the reply to a translated packet comes back as the reply to the original, except a
//   hairpin flow no row covered, whose reply passes untranslated (OVN un-DNATs only on the gateway port).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_SYN, type IpPacket } from '../../../src/packet/frame.js';
import { toPrefixValue } from '../../../src/packet/ip-value.js';
import { RouterNat, type NeutronBackend } from '../../../src/routing/nat.js';

const GW = 0xcb00710a; // 203.0.113.10
const FIP = 0xcb00710b; // 203.0.113.11 → 10.0.0.2
const CLIENT_FIP = 0xcb00710c; // 203.0.113.12 → 10.0.1.9
const ROWS = [
  { subnet: 'web', cidr: '10.0.0.0/24', prefix: toPrefixValue({ version: 4, network: 0x0a000000n, prefix: 24 }) },
  { subnet: 'db', cidr: '10.0.1.0/24', prefix: toPrefixValue({ version: 4, network: 0x0a000100n, prefix: 24 }) },
];
const inRow = (a: number) => (a >>> 8) === 0x0a0000 || (a >>> 8) === 0x0a0001;

function router(backend: NeutronBackend, snat: boolean): RouterNat {
  return new RouterNat({
    gatewayPort: 'r/qg', gatewayIp: GW, snat, backend, snatRows: ROWS,
    floatingIps: [
      { name: 'fip', floating: FIP, fixed: 0x0a000002, forwardings: [] },
      { name: 'client-fip', floating: CLIENT_FIP, fixed: 0x0a000109, forwardings: [] },
    ],
  });
}

const attached = fc.constantFrom(0x0a000003, 0x0a000004, 0x0a000105, 0x0a000109);
const behind = fc.constantFrom(0xac100005, 0xac100006);
const outside = fc.constantFrom(0xc6336407, 0x08080808);
const port = fc.oneof({ arbitrary: fc.constantFrom(80, 40001), weight: 9 }, { arbitrary: fc.integer({ min: 1, max: 65535 }), weight: 1 });
const l4 = fc.oneof(
  fc.record({ proto: fc.constant('tcp' as const), sport: port, dport: port, flags: fc.constant(TCP_SYN) }),
  fc.record({ proto: fc.constant('udp' as const), sport: port, dport: port }),
  fc.record({ proto: fc.constant('icmp' as const), type: fc.constant(8), code: fc.constant(0), id: fc.integer({ min: 0, max: 65535 }), seq: fc.constant(1) }),
);
interface Flow { src: number; dst: number; l4: IpPacket['l4']; inPort: string; outPort: string }
const flowsFrom = (inside: fc.Arbitrary<number>): fc.Arbitrary<Flow> => fc.oneof(
  fc.record({ src: inside, dst: outside, l4, inPort: fc.constant('r/qr-a'), outPort: fc.constant('r/qg') }),
  fc.record({ src: outside, dst: fc.constant(FIP), l4, inPort: fc.constant('r/qg'), outPort: fc.constant('r/qr-a') }),
  fc.record({ src: inside, dst: fc.constant(FIP), l4, inPort: fc.constant('r/qr-b'), outPort: fc.constant('r/qr-a') }),
);

const packet = (f: Flow): IpPacket => ({ kind: 'ip', version: 4, src: f.src, dst: f.dst, ttl: 64, l4: f.l4 });
function answer(p: IpPacket): IpPacket {
  const l = p.l4;
  const back = l.proto === 'icmp' ? { ...l, type: 0 } : l.proto === 'tcp' ? { ...l, sport: l.dport, dport: l.sport, flags: TCP_SYN | TCP_ACK } : { ...l, sport: l.dport, dport: l.sport };
  return { ...p, src: p.dst, dst: p.src, l4: back };
}
function through(nat: RouterNat, p: IpPacket, inPort: string, outPort: string) {
  const pre = nat.prerouting(p);
  const mid = pre?.packet ?? p;
  const post = nat.postrouting(mid, inPort, outPort, pre);
  return { out: post?.packet ?? mid, pre, post };
}

describe('the back ends\' router NAT', () => {
  it('agree packet for packet when every source is in an attached subnet and snat is on', () => {
    fc.assert(fc.property(fc.array(flowsFrom(attached), { minLength: 1, maxLength: 30 }), (flows) => {
      const l3 = router('l3-agent', true);
      const ovn = router('ovn', true);
      for (const f of flows) {
        const a = through(l3, packet(f), f.inPort, f.outPort).out;
        const b = through(ovn, packet(f), f.inPort, f.outPort).out;
        expect(b).toEqual(a);
        expect(through(ovn, answer(b), f.outPort, f.inPort).out).toEqual(through(l3, answer(a), f.outPort, f.inPort).out);
      }
    }), { numRuns: 300 });
  });

  it('OVN SNATs to the gateway only a source its snat rows cover, and nothing with snat off', () => {
    fc.assert(fc.property(fc.boolean(), fc.array(flowsFrom(fc.oneof(attached, behind)), { minLength: 1, maxLength: 30 }), (snat, flows) => {
      const nat = router('ovn', snat);
      for (const f of flows) {
        const { out, post } = through(nat, packet(f), f.inPort, f.outPort);
        // A new flow's SNAT, or a later packet of a flow SNATed before: either way a covered source.
        if (out.src === GW) expect(snat && inRow(f.src)).toBe(true);
        if (post?.kind === 'snat') expect(out.src).toBe(GW);
      }
    }), { numRuns: 300 });
  });

  it('under OVN a reply comes back as the reply to the original, or untranslated for a hairpin flow no row covered', () => {
    fc.assert(fc.property(fc.boolean(), fc.array(flowsFrom(fc.oneof(attached, behind)), { minLength: 1, maxLength: 30 }), (snat, flows) => {
      const nat = router('ovn', snat);
      for (const f of flows) {
        const original = packet(f);
        const { out } = through(nat, original, f.inPort, f.outPort);
        const back = through(nat, answer(out), f.outPort, f.inPort);
        const hairpinKept = f.dst === FIP && f.inPort === 'r/qr-b' && f.src !== 0x0a000109 && !(snat && inRow(f.src));
        if (hairpinKept) {
          expect(back.pre?.action).toBe('untranslated');
          expect(back.out).toEqual(answer(out));
        } else {
          expect(back.out.src).toBe(answer(original).src);
          expect(back.out.dst).toBe(answer(original).dst);
          expect(back.out.l4).toEqual(answer(original).l4);
        }
      }
    }), { numRuns: 300 });
  });
});

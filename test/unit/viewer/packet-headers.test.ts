/**
 * The packet view read from events' structured packet (viewer/packet-fields.ts headerLayers,
 * packetView): for any TCP, UDP, ICMP echo or ARP frame, every field the one-line summary tells
 * reads the same from the headers (the summary parser stays for older traces), and the headers
 * add what the summary cannot (the MACs, the TTL). On a real trace, packetView prefers them.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveDestination, resolveSource } from '../../../src/engine/endpoints.js';
import { Simulator } from '../../../src/engine/simulator.js';
import type { Frame, IpPacket } from '../../../src/packet/frame.js';
import { summarizeFrame } from '../../../src/packet/summary.js';
import { parseTopology } from '../../../src/topology/load.js';
import { headersOf } from '../../../src/trace/headers.js';
import { headerLayers, packetView, summaryLayers, type Layer } from '../../../viewer/packet-fields.js';

const mac = fc.integer({ min: 0, max: 2 ** 48 - 1 });
const v4 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const v6 = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n });
const port = fc.integer({ min: 1, max: 65535 });
const l4 = fc.oneof(
  fc.record({ proto: fc.constant('tcp' as const), sport: port, dport: port, flags: fc.integer({ min: 1, max: 31 }) }),
  fc.record({ proto: fc.constant('udp' as const), sport: port, dport: port }),
);
const packet = (version: 4 | 6): fc.Arbitrary<IpPacket> => fc.record({ kind: fc.constant('ip' as const), version: fc.constant(version), src: version === 4 ? v4 : v6, dst: version === 4 ? v4 : v6, ttl: fc.integer({ min: 0, max: 255 }), l4 });
const echo = fc.record({ kind: fc.constant('ip' as const), version: fc.constant(4 as const), src: v4, dst: v4, ttl: fc.integer({ min: 0, max: 255 }), l4: fc.record({ proto: fc.constant('icmp' as const), type: fc.constantFrom(0, 8), code: fc.constant(0), id: fc.integer({ min: 0, max: 65535 }), seq: fc.integer({ min: 0, max: 65535 }) }) });
const frame: fc.Arbitrary<Frame> = fc.record({
  src: mac, dst: mac,
  payload: fc.oneof(packet(4), packet(6), echo, fc.record({ kind: fc.constant('arp' as const), op: fc.constantFrom('request' as const, 'reply' as const), senderMac: mac, senderIp: v4, targetMac: mac, targetIp: v4 })),
});

const fields = (layers: readonly Layer[]) => new Map(layers.flatMap((l) => l.fields.map((x) => [`${l.name}.${x.name}`, x.value] as const)));

describe('headerLayers', () => {
  it('tells every field the summary tells, the same (400 runs), and the Ethernet addresses besides', () => {
    fc.assert(fc.property(frame, (f) => {
      const fromHeaders = fields(headerLayers(headersOf(f)));
      const fromSummary = fields(summaryLayers(summarizeFrame(f), f.payload.kind === 'ip' ? f.payload.ttl : undefined));
      expect(fromSummary.size).toBeGreaterThan(0);
      for (const [k, v] of fromSummary) {
        if (v === '—' || k === 'ARP.target MAC') continue; // the summary of a request assumes a zero target MAC
        expect(fromHeaders.get(k), k).toBe(v);
      }
      expect(fromHeaders.get('Ethernet.source MAC')).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    }), { numRuns: 400 });
  });
});

describe('packetView on a real trace', () => {
  it('reads the structured packet: the SYN as the router forwards it has its MACs and TTL 63', () => {
    const r = parseTopology(readFileSync('topologies/three-tier.yaml', 'utf8'), 'three-tier.yaml');
    if (!r.ok) throw new Error('three-tier does not load');
    const src = resolveSource(r.cloud, 'web-1');
    const dst = resolveDestination(r.cloud, 'db-1');
    if (!src.ok || !dst.ok) throw new Error('bad probe');
    const v = new Simulator(r.cloud).probe({ from: src.value.node, to: dst.value, proto: 'tcp', port: 5432 });
    const i = v.events.findIndex((e) => e.stage === 'switch.forward' && e.direction === 'forward' && e.packet.includes('TCP SYN') && e.headers?.ip?.ttl === 63);
    expect(i).toBeGreaterThan(0);
    const view = fields(packetView(v.events, i).layers);
    const h = v.events[i]!.headers!;
    expect(view.get('Ethernet.source MAC')).toBe(h.eth!.src);
    expect(view.get('Ethernet.destination MAC')).toBe(h.eth!.dst);
    expect(view.get('IPv4.TTL')).toBe('63');
    expect(view.get('TCP.flags')).toBe('SYN');
  });
});

/**
 * Trace events' structured packet and link (src/trace/headers.ts, TraceEvent.headers/link) and
 * the pcap records read from them (src/trace/pcap.ts recordsFromEvents). Properties: any frame
 * survives headersOf → JSON → frameOfHeaders unchanged (no bigint reaches JSON); on real probes
 * every event carries its headers, events about an arrived frame its wire, and the records read
 * from a probe's events are, byte for byte and in order, frames the simulator captured on its
 * wires — every IP frame among them.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveDestination, resolveSource } from '../../../src/engine/endpoints.js';
import { Simulator } from '../../../src/engine/simulator.js';
import type { Frame, IpPacket, L4 } from '../../../src/packet/frame.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';
import { frameOfHeaders, headersOf, TracedHeaders } from '../../../src/trace/headers.js';
import { recordsFromEvents } from '../../../src/trace/pcap.js';

const mac = fc.integer({ min: 0, max: 2 ** 48 - 1 });
const v4 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const v6 = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n });
const port = fc.integer({ min: 0, max: 65535 });
const byte = fc.integer({ min: 0, max: 255 });

const l4 = (version: 4 | 6, depth: number): fc.Arbitrary<L4> => fc.oneof(
  fc.record({ proto: fc.constant('tcp' as const), sport: port, dport: port, flags: byte }),
  fc.record({ proto: fc.constant('udp' as const), sport: port, dport: port }),
  fc.record({ proto: fc.constant('icmp' as const), type: byte, code: byte, id: fc.integer({ min: 0, max: 65535 }), seq: fc.integer({ min: 0, max: 65535 }) }),
  ...(version === 6 ? [fc.record({ proto: fc.constant('icmp' as const), type: fc.constantFrom(135, 136), code: fc.constant(0), target: v6, lladdr: mac })] : []),
  ...(depth > 0 ? [fc.record({ proto: fc.constant('icmp' as const), type: byte, code: byte, quoted: packet(version, depth - 1) })] : []),
);

function packet(version: 4 | 6, depth: number): fc.Arbitrary<IpPacket> {
  const addr = version === 4 ? v4 : v6;
  return fc.record({ kind: fc.constant('ip' as const), version: fc.constant(version), src: addr, dst: addr, ttl: byte, l4: l4(version, depth) });
}

const frame: fc.Arbitrary<Frame> = fc.record({
  src: mac, dst: mac,
  payload: fc.oneof(
    fc.record({ kind: fc.constant('arp' as const), op: fc.constantFrom('request' as const, 'reply' as const), senderMac: mac, senderIp: v4, targetMac: mac, targetIp: v4 }),
    packet(4, 1), packet(6, 1),
  ),
});

describe('headersOf and frameOfHeaders', () => {
  it('any frame survives headers → JSON text → frame unchanged (500 runs)', () => {
    fc.assert(fc.property(frame, (f) => {
      const json = JSON.stringify(headersOf(f));
      expect(frameOfHeaders(JSON.parse(json))).toEqual(f);
    }), { numRuns: 500 });
  });

  it('TracedHeaders reads and serialises as headersOf, field by field and as JSON (300 runs)', () => {
    fc.assert(fc.property(frame, fc.boolean(), (f, packetOnly) => {
      const what = packetOnly && f.payload.kind === 'ip' ? f.payload : f;
      const plain = headersOf(what);
      const lazy = new TracedHeaders(what);
      expect(JSON.stringify(lazy)).toBe(JSON.stringify(plain));
      expect([lazy.eth, lazy.arp, lazy.ip, lazy.l4]).toEqual([plain.eth, plain.arp, plain.ip, plain.l4]);
    }), { numRuns: 300 });
  });

  it('a packet has no Ethernet header and no frame; IPv6 carries hopLimit, IPv4 ttl', () => {
    const p: IpPacket = { kind: 'ip', version: 6, src: 1n, dst: 2n, ttl: 63, l4: { proto: 'udp', sport: 1, dport: 53 } };
    const h = headersOf(p);
    expect(h).toEqual({ eth: null, ip: { version: 6, src: '::1', dst: '::2', hopLimit: 63, proto: 17 }, l4: { proto: 'udp', sport: 1, dport: 53 } });
    expect(frameOfHeaders(h)).toBeUndefined();
  });

  it('headers that are not a frame\'s are an error naming the field', () => {
    const h = headersOf({ src: 1, dst: 2, payload: { kind: 'ip', version: 4, src: 1, dst: 2, ttl: 64, l4: { proto: 'udp', sport: 1, dport: 2 } } });
    expect(() => frameOfHeaders({ ...h, ip: { ...h.ip!, src: 'ten' } as never }, 'event 7: headers')).toThrow(/event 7: headers\.ip\.src: expected an IP address/);
    expect(() => frameOfHeaders({ ...h, eth: { ...h.eth!, dst: 'x' } })).toThrow(/headers\.eth\.dst: expected a MAC address/);
  });
});

function threeTier(): Cloud {
  const r = parseTopology(readFileSync('topologies/three-tier.yaml', 'utf8'), 'three-tier.yaml');
  if (!r.ok) throw new Error('three-tier does not load');
  return r.cloud;
}

const PROBES: [string, string, 'tcp' | 'udp' | 'icmp', number][] = [
  ['web-1', 'db-1', 'tcp', 5432], ['client', 'lb-fip', 'tcp', 80], ['web-1', 'db-1', 'tcp', 22], ['web-1', 'db-1', 'icmp', 0], ['client', '203.0.113.80', 'udp', 53],
];

describe('events of real probes (three-tier)', () => {
  const cloud = threeTier();
  for (const [from, to, proto, p] of PROBES) {
    it(`${from} → ${to} ${proto}/${p}: headers, wires, and pcap records that are the captured frames`, () => {
      const sim = new Simulator(cloud, { capture: true });
      sim.capture!.drain();
      const src = resolveSource(cloud, from);
      const dst = resolveDestination(cloud, to);
      if (!src.ok || !dst.ok) throw new Error('bad probe');
      const v = sim.probe({ from: src.value.node, to: dst.value, proto, port: p });
      expect(v.events.length).toBeGreaterThan(0);
      for (const e of v.events) {
        expect(e.headers).not.toBeNull();
        // The headers are the traced packet's: they agree with its summary.
        const h = e.headers!;
        if (h.arp) expect(e.packet.includes('who-has'), e.packet).toBe(h.arp.op === 'request');
        if (h.ip) expect(e.packet).toContain(h.ip.dst);
        if (h.l4?.proto === 'tcp') expect(e.packet).toContain(`:${h.l4.dport} TCP`);
        if (e.link) expect([e.link.to, e.link.toPort]).toEqual([e.node, e.link.toPort]);
      }
      // The sender's first event is before any wire.
      expect(v.events[0]!.link).toBeNull();
      const fromEvents = recordsFromEvents(v.events).map((r) => Buffer.from(r.bytes).toString('hex'));
      const captured = sim.capture!.ofProbe(v.events[0]!.probe).map((c) => Buffer.from(c.bytes).toString('hex'));
      // Every frame read from the events went over a wire, in the same order; every IP frame is
      // there (an ARP request a node answered shows only as its answer, so it may be missing).
      let at = 0;
      for (const hex of fromEvents) {
        while (at < captured.length && captured[at] !== hex) at++;
        expect(at, `${hex} is not (next) among the captured frames`).toBeLessThan(captured.length);
        at++;
      }
      const ip = (hex: string) => hex.slice(24, 28) === '0800' || hex.slice(24, 28) === '86dd';
      expect(fromEvents.filter(ip)).toEqual(captured.filter(ip));
      expect(captured.filter(ip).length).toBeGreaterThan(0);
      // The JSON form is the plain headers, read back the same.
      const json = JSON.parse(JSON.stringify(v.events)) as typeof v.events;
      json.forEach((e, k) => {
        const { headers, ...rest } = v.events[k]!;
        const { headers: jsonHeaders, ...jsonRest } = e;
        expect(jsonRest).toEqual(rest);
        expect(jsonHeaders).toEqual(headers ? { eth: headers.eth, ...(headers.arp ? { arp: headers.arp } : {}), ip: headers.ip, l4: headers.l4 } : null);
      });
    });
  }
});

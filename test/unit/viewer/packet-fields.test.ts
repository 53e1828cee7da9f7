/**
 * The packet view's adapter (viewer/packet-fields.ts): each layer's fields from a summary, and on
 * a real probe (three-tier, client → lb-fip tcp/80, as `vnet trace --json` printed it) the
 * Ethernet addresses, the TTL and NAT's before and after.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decisionOf, packetView, summaryLayers, type Layer } from '../../../viewer/packet-fields.js';
import type { TraceEvent } from '../../../src/trace/events.js';

const trace = JSON.parse(readFileSync('test/fixtures/viewer/client-to-lb-fip.json', 'utf8')) as { events: TraceEvent[] };
const events = trace.events;
const value = (layers: readonly Layer[], layer: string, field: string) => layers.find((l) => l.name === layer)?.fields.find((f) => f.name === field)?.value;
const index = (p: (e: TraceEvent) => boolean) => {
  const i = events.findIndex(p);
  if (i < 0) throw new Error('fixture lacks the event');
  return i;
};

describe('summaryLayers', () => {
  const octet = fc.integer({ min: 0, max: 255 });
  const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
  const port = fc.integer({ min: 1, max: 65535 });
  const flags = fc.subarray(['SYN', 'FIN', 'RST', 'PSH', 'ACK'], { minLength: 1 }).map((x) => x.join('-'));

  it('reads back every field of a TCP or UDP summary, IPv4 or IPv6', () => {
    const v6 = fc.array(fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16)), { minLength: 8, maxLength: 8 }).map((w) => w.join(':'));
    fc.assert(fc.property(fc.boolean(), ipv4, ipv4, v6, v6, port, port, fc.option(flags, { nil: undefined }), fc.integer({ min: 0, max: 255 }), (six, a4, b4, a6, b6, sp, dp, fl, ttl) => {
      const [a, b] = six ? [`[${a6}]`, `[${b6}]`] : [a4, b4];
      const summary = fl === undefined ? `${a}:${sp} → ${b}:${dp} UDP` : `${a}:${sp} → ${b}:${dp} TCP ${fl}`;
      const layers = summaryLayers(summary, ttl);
      const ip = six ? 'IPv6' : 'IPv4';
      expect(value(layers, ip, 'source')).toBe(six ? a6 : a4);
      expect(value(layers, ip, 'destination')).toBe(six ? b6 : b4);
      expect(value(layers, ip, six ? 'hop limit' : 'TTL')).toBe(String(ttl));
      const l4 = fl === undefined ? 'UDP' : 'TCP';
      expect(value(layers, l4, 'source port')).toBe(String(sp));
      expect(value(layers, l4, 'destination port')).toBe(String(dp));
      if (fl !== undefined) expect(value(layers, 'TCP', 'flags')).toBe(fl);
    }), { numRuns: 300 });
  });

  it('reads ICMP echo, errors with their quoted packet, and ARP', () => {
    const echo = summaryLayers('10.0.0.2 → 198.51.100.7 ICMP echo request id=1 seq=3');
    expect(value(echo, 'ICMP', 'type')).toBe('8 (echo request)');
    expect(value(echo, 'ICMP', 'seq')).toBe('3');
    expect(value(echo, 'IPv4', 'TTL')).toBe('—');
    const unreach = summaryLayers('10.0.0.1 → 10.0.0.2 ICMP port unreachable (for 10.0.0.2:40001 → 10.0.1.5:53 UDP)');
    expect(value(unreach, 'ICMP', 'type')).toBe('3 (destination unreachable)');
    expect(value(unreach, 'ICMP', 'code')).toBe('port');
    expect(value(unreach, 'ICMP', 'quoting')).toBe('10.0.0.2:40001 → 10.0.1.5:53 UDP');
    expect(value(summaryLayers('2001:db8::1 → 2001:db8::2 ICMPv6 echo reply id=1 seq=1'), 'ICMPv6', 'type')).toBe('129 (echo reply)');
    expect(value(summaryLayers('ARP who-has 10.0.0.1 tell 10.0.0.2'), 'ARP', 'target IP')).toBe('10.0.0.1');
    expect(value(summaryLayers('ARP 10.0.0.1 is-at fa:16:3e:00:00:04'), 'ARP', 'sender MAC')).toBe('fa:16:3e:00:00:04');
    expect(summaryLayers('something else')).toEqual([]);
  });
});

describe('packetView on client → lb-fip tcp/80', () => {
  it('DNAT: in and out side by side, only the destination address rewritten', () => {
    const i = index((e) => e.stage === 'nat.dnat' && e.action !== 'reverse');
    const view = packetView(events, i);
    expect(view.before).not.toBeNull();
    expect(value(view.before!, 'IPv4', 'destination')).toBe('203.0.113.80');
    expect(value(view.layers, 'IPv4', 'destination')).toBe('10.0.0.2');
    expect(value(view.before!, 'IPv4', 'source')).toBe(value(view.layers, 'IPv4', 'source'));
    expect(value(view.layers, 'TCP', 'destination port')).toBe('80');
    expect(value(view.layers, 'TCP', 'flags')).toBe('SYN');
  });

  it('TTL: the value after each decrement, and the one a router is about to decrement', () => {
    const ttls = events.map((e, i) => [e, i] as const).filter(([e]) => e.stage === 'router.ttl');
    expect(ttls.length).toBeGreaterThan(0);
    for (const [e, i] of ttls) expect(value(packetView(events, i).layers, 'IPv4', 'TTL')).toBe(String(e.detail['after']));
    const [first, at] = ttls[0]!;
    const before = events.findIndex((e, k) => k < at && e.packet === first.packet);
    expect(value(packetView(events, before).layers, 'IPv4', 'TTL')).toBe(String(first.detail['before']));
  });

  it('Ethernet: an ARP request goes to broadcast; a routed frame comes from the router\'s port and goes to the MAC ARP found', () => {
    const request = index((e) => e.stage === 'arp' && e.action === 'request');
    expect(value(packetView(events, request).layers, 'Ethernet', 'destination MAC')).toBe('ff:ff:ff:ff:ff:ff');
    const forward = index((e) => e.stage === 'switch.forward' && !e.packet.startsWith('ARP'));
    const routed = events.slice(0, forward).reverse().find((e) => e.stage === 'router.forward' && e.packet === events[forward]!.packet)!;
    const eth = packetView(events, forward).layers;
    expect(value(eth, 'Ethernet', 'destination MAC')).toBe('fa:16:3e:00:00:06');
    expect(value(eth, 'Ethernet', 'destination MAC')).toBe(events[forward]!.detail['mac']);
    expect(value(eth, 'Ethernet', 'source MAC')).toBe(routed.detail['srcMac']);
    // The ARP request's source is what the switch learned from it.
    expect(value(packetView(events, request + 1).layers, 'Ethernet', 'source MAC')).toBe('02:49:4e:00:00:01');
    expect(value(eth, 'Ethernet', 'type')).toBe('IPv4 (0x0800)');
  });

  it('Ethernet: a host\'s own frame comes from the MAC its ARP answer gave (web-1\'s SYN-ACK)', () => {
    const reply = index((e) => e.stage === 'host.reply');
    expect(events[reply]!.node).toBe('instance:web-1');
    expect(value(packetView(events, reply).layers, 'Ethernet', 'source MAC')).toBe('fa:16:3e:00:00:01');
    expect(value(packetView(events, reply + 1).layers, 'Ethernet', 'source MAC')).toBe('fa:16:3e:00:00:01');
  });

  it('names every stage\'s decision where the event gives one: the group rule, the route, the reason', () => {
    const sg = events.find((e) => e.stage === 'sg.ingress')!;
    expect(decisionOf(sg)).toBe('rule 2 of group web: ingress tcp/80 from 0.0.0.0/0');
    expect(decisionOf(events.find((e) => e.stage === 'router.route')!)).toContain('connected');
    expect(decisionOf(events.find((e) => e.stage === 'host.receive')!)).toBe('listening on tcp/80');
  });
});

/**
 * The host stack's answers (src/l3/host-stack.ts), packet in, decision out: UDP to a listening
 * port gets a datagram back from that port, to a closed one ICMP (or ICMPv6) port unreachable
 * quoting the datagram; TCP SYN gets SYN-ACK or RST-ACK; echo gets echo reply; a port range
 * listens on its ends and nothing beyond them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listening, respond } from '../../../src/l3/host-stack.js';
import { ICMP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type IpPacket, type L4 } from '../../../src/packet/frame.js';
import type { IpValue } from '../../../src/packet/ip-value.js';
import type { Service } from '../../../src/topology/model.js';

const HOST = 0x0a000002;
const CLIENT = 0xc6336407;
const HOST6 = 0x20010db8000000000000000000000002n;
const CLIENT6 = 0x20010db8000000000000000000000007n;

const svc = (protocol: 'tcp' | 'udp', from: number, to = from): Service => ({ protocol, from, to, text: from === to ? `${protocol}/${from}` : `${protocol}/${from}-${to}` });
const SERVICES = [svc('udp', 53), svc('tcp', 22), svc('udp', 5000, 5010)];

function ip(l4: L4, v6 = false, ttl = 7): IpPacket {
  const [src, dst]: [IpValue, IpValue] = v6 ? [CLIENT6, HOST6] : [CLIENT, HOST];
  return { kind: 'ip', version: v6 ? 6 : 4, src, dst, ttl, l4 };
}
const udp = (dport: number, v6 = false) => ip({ proto: 'udp', sport: 40000, dport }, v6);
const tcp = (dport: number, flags: number) => ip({ proto: 'tcp', sport: 40000, dport, flags });

describe('UDP', () => {
  it('a datagram to a listening port is answered from that port, back to the sender, with a fresh TTL', () => {
    expect(respond(udp(53), SERVICES)).toEqual({
      kind: 'accept', reason: 'listening on udp/53',
      reply: { kind: 'ip', version: 4, src: HOST, dst: CLIENT, ttl: 64, l4: { proto: 'udp', sport: 53, dport: 40000 } },
    });
  });

  it('a closed port gets ICMP port unreachable (type 3 code 3) quoting the datagram', () => {
    const p = udp(54);
    expect(respond(p, SERVICES)).toEqual({
      kind: 'refuse', reason: 'nothing listens on udp/54',
      reply: { kind: 'ip', version: 4, src: HOST, dst: CLIENT, ttl: 64, l4: { proto: 'icmp', type: 3, code: 3, quoted: p } },
    });
  });

  it('over IPv6: ICMPv6 port unreachable (type 1 code 4), and answers from a listening port', () => {
    const p = udp(54, true);
    expect(respond(p, SERVICES)).toMatchObject({ kind: 'refuse', reply: { version: 6, src: HOST6, dst: CLIENT6, ttl: 64, l4: { proto: 'icmp', type: ICMP.v6.unreachable, code: ICMP.v6.codes.port, quoted: p } } });
    expect(respond(udp(53, true), SERVICES)).toMatchObject({ kind: 'accept', reply: { version: 6, src: HOST6, dst: CLIENT6, l4: { proto: 'udp', sport: 53, dport: 40000 } } });
  });

  it('a TCP service does not listen on UDP', () => {
    expect(respond(udp(22), SERVICES).kind).toBe('refuse');
  });
});

describe('a port range', () => {
  it('listens from its first port to its last, inclusive, and nowhere else', () => {
    expect(listening(SERVICES, 'udp', 5000)?.text).toBe('udp/5000-5010');
    expect(listening(SERVICES, 'udp', 5010)?.text).toBe('udp/5000-5010');
    expect(listening(SERVICES, 'udp', 4999)).toBeUndefined();
    expect(listening(SERVICES, 'udp', 5011)).toBeUndefined();
    expect(listening(SERVICES, 'tcp', 5005)).toBeUndefined();
  });

  it('any port: open exactly when some service of its protocol covers it', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('tcp' as const, 'udp' as const), fc.integer({ min: 1, max: 200 }), fc.nat({ max: 20 })), { maxLength: 5 }), fc.constantFrom('tcp' as const, 'udp' as const), fc.integer({ min: 1, max: 230 }), (specs, proto, port) => {
      const services = specs.map(([p, from, span]) => svc(p, from, from + span));
      const open = specs.some(([p, from, span]) => p === proto && port >= from && port <= from + span);
      expect(listening(services, proto, port) !== undefined).toBe(open);
      const d = respond(proto === 'udp' ? udp(port) : tcp(port, TCP_SYN), services);
      expect(d.kind).toBe(open ? 'accept' : 'refuse');
    }), { numRuns: 500 });
  });
});

describe('TCP', () => {
  it('a SYN to a listening port gets SYN-ACK; to a closed one RST-ACK', () => {
    expect(respond(tcp(22, TCP_SYN), SERVICES)).toEqual({ kind: 'accept', reason: 'listening on tcp/22', reply: { kind: 'ip', version: 4, src: HOST, dst: CLIENT, ttl: 64, l4: { proto: 'tcp', sport: 22, dport: 40000, flags: TCP_SYN | TCP_ACK } } });
    expect(respond(tcp(23, TCP_SYN), SERVICES)).toEqual({ kind: 'refuse', reason: 'nothing listens on tcp/23', reply: { kind: 'ip', version: 4, src: HOST, dst: CLIENT, ttl: 64, l4: { proto: 'tcp', sport: 23, dport: 40000, flags: TCP_RST | TCP_ACK } } });
  });

  it('a segment without SYN: accepted silently on a listening port, RST on a closed one', () => {
    expect(respond(tcp(22, TCP_ACK), SERVICES)).toEqual({ kind: 'accept', reason: 'segment for tcp/22', reply: null });
    expect(respond(tcp(23, TCP_ACK | TCP_FIN), SERVICES)).toMatchObject({ kind: 'refuse', reason: 'no connection on tcp/23', reply: { l4: { sport: 23, dport: 40000, flags: TCP_RST } } });
  });

  it('answers are ends of a conversation: SYN-ACK and RST are taken, never answered', () => {
    expect(respond(tcp(40000, TCP_SYN | TCP_ACK), [])).toEqual({ kind: 'answer', reason: 'connection accepted (SYN-ACK)' });
    expect(respond(tcp(40000, TCP_RST), [])).toEqual({ kind: 'answer', reason: 'connection reset' });
    expect(respond(tcp(22, TCP_RST | TCP_ACK), SERVICES)).toEqual({ kind: 'answer', reason: 'connection reset' });
  });
});

describe('ICMP', () => {
  it('an echo request gets an echo reply with its id and sequence, in either family', () => {
    expect(respond(ip({ proto: 'icmp', type: 8, code: 0, id: 7, seq: 3 }), [])).toEqual({ kind: 'accept', reason: 'echo request answered', reply: { kind: 'ip', version: 4, src: HOST, dst: CLIENT, ttl: 64, l4: { proto: 'icmp', type: 0, code: 0, id: 7, seq: 3 } } });
    expect(respond(ip({ proto: 'icmp', type: 128, code: 0, id: 7, seq: 3 }, true), [])).toMatchObject({ kind: 'accept', reply: { version: 6, l4: { type: 129, id: 7, seq: 3 } } });
    // Without id and sequence (a minimal echo), the reply carries zeros.
    expect(respond(ip({ proto: 'icmp', type: 8, code: 0 }), [])).toMatchObject({ reply: { l4: { id: 0, seq: 0 } } });
  });

  it('an echo reply or an error is taken; any other type is ignored; an IPv4 type means nothing over IPv6', () => {
    expect(respond(ip({ proto: 'icmp', type: 0, code: 0, id: 7, seq: 3 }), [])).toEqual({ kind: 'answer', reason: 'echo reply' });
    expect(respond(ip({ proto: 'icmp', type: 3, code: 3, quoted: udp(9) }), [])).toEqual({ kind: 'answer', reason: 'ICMP error about a packet we sent' });
    expect(respond(ip({ proto: 'icmp', type: 13, code: 0 }), [])).toEqual({ kind: 'ignore', reason: 'ICMP type 13 not handled' });
    expect(respond(ip({ proto: 'icmp', type: 8, code: 0, id: 1, seq: 1 }, true), [])).toEqual({ kind: 'ignore', reason: 'ICMP type 8 not handled' });
  });
});

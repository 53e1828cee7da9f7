/**
 * What an end host's stack answers (RFC 9293 §3.10.7.2, RFC 792, RFC 4443): an echo request
 * gets an echo reply; a TCP SYN gets SYN-ACK from a listening port and RST-ACK from a closed
 * one; a UDP datagram to a listening port gets a datagram back (the service answers, as DNS
 * does), to a closed port ICMP port unreachable. Pure: packet in, decision out.
 */
import { ICMP, TCP_ACK, TCP_RST, TCP_SYN, echoReplyType, echoRequestType, type IpPacket, type L4 } from '../packet/frame.js';
import type { Service } from '../topology/model.js';

export type StackDecision =
  | { readonly kind: 'accept'; readonly reason: string; readonly reply: IpPacket | null }
  | { readonly kind: 'refuse'; readonly reason: string; readonly reply: IpPacket }
  | { readonly kind: 'answer'; readonly reason: string }
  | { readonly kind: 'ignore'; readonly reason: string };

export function listening(services: readonly Service[], proto: 'tcp' | 'udp', port: number): Service | undefined {
  return services.find((s) => s.protocol === proto && port >= s.from && port <= s.to);
}

const TTL = { 4: 64, 6: 64 } as const;

function replyTo(p: IpPacket, l4: L4): IpPacket {
  return { kind: 'ip', version: p.version, src: p.dst, dst: p.src, ttl: TTL[p.version], l4 };
}

export function respond(p: IpPacket, services: readonly Service[]): StackDecision {
  const l4 = p.l4;
  if (l4.proto === 'icmp') {
    if (l4.type === echoRequestType(p.version)) {
      return { kind: 'accept', reason: 'echo request answered', reply: replyTo(p, { proto: 'icmp', type: echoReplyType(p.version), code: 0, id: l4.id ?? 0, seq: l4.seq ?? 0 }) };
    }
    if (l4.type === echoReplyType(p.version)) return { kind: 'answer', reason: 'echo reply' };
    if (l4.quoted) return { kind: 'answer', reason: 'ICMP error about a packet we sent' };
    return { kind: 'ignore', reason: `ICMP type ${l4.type} not handled` };
  }
  if (l4.proto === 'tcp') {
    if (l4.flags & TCP_RST) return { kind: 'answer', reason: 'connection reset' };
    if ((l4.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) return { kind: 'answer', reason: 'connection accepted (SYN-ACK)' };
    if (l4.flags & TCP_SYN) {
      const s = listening(services, 'tcp', l4.dport);
      if (s) return { kind: 'accept', reason: `listening on ${s.text}`, reply: replyTo(p, { proto: 'tcp', sport: l4.dport, dport: l4.sport, flags: TCP_SYN | TCP_ACK }) };
      return { kind: 'refuse', reason: `nothing listens on tcp/${l4.dport}`, reply: replyTo(p, { proto: 'tcp', sport: l4.dport, dport: l4.sport, flags: TCP_RST | TCP_ACK }) };
    }
    const s = listening(services, 'tcp', l4.dport);
    if (s) return { kind: 'accept', reason: `segment for ${s.text}`, reply: null };
    return { kind: 'refuse', reason: `no connection on tcp/${l4.dport}`, reply: replyTo(p, { proto: 'tcp', sport: l4.dport, dport: l4.sport, flags: TCP_RST }) };
  }
  const s = listening(services, 'udp', l4.dport);
  if (s) return { kind: 'accept', reason: `listening on ${s.text}`, reply: replyTo(p, { proto: 'udp', sport: l4.dport, dport: l4.sport }) };
  const unreachable = p.version === 4
    ? { proto: 'icmp' as const, type: ICMP.v4.unreachable, code: ICMP.v4.codes.port, quoted: p }
    : { proto: 'icmp' as const, type: ICMP.v6.unreachable, code: ICMP.v6.codes.port, quoted: p };
  return { kind: 'refuse', reason: `nothing listens on udp/${l4.dport}`, reply: replyTo(p, unreachable) };
}


/**
 * Frames as plain immutable values: Ethernet around ARP or IP, IP around TCP, UDP or ICMP
 * (ICMPv6 neighbour discovery included). Only header fields that decide behaviour are kept.
 * A stage that rewrites a header builds a new value; nothing mutates a frame in flight.
 * Semantics: RFC 826 (ARP), RFC 791/8200 (IPv4/IPv6), RFC 792/4443 (ICMP/ICMPv6), RFC 4861 (ND),
 * RFC 9293 (TCP), RFC 768 (UDP).
 */
import type { Mac } from '../address/mac.js';
import type { IpValue } from './ip-value.js';

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface Arp {
  readonly kind: 'arp';
  readonly op: 'request' | 'reply';
  readonly senderMac: Mac;
  readonly senderIp: number;
  readonly targetMac: Mac;
  readonly targetIp: number;
}

export interface Tcp {
  readonly proto: 'tcp';
  readonly sport: number;
  readonly dport: number;
  readonly flags: number;
}

export interface Udp {
  readonly proto: 'udp';
  readonly sport: number;
  readonly dport: number;
}

/**
 * ICMP and ICMPv6. Echo carries id/seq; errors quote the offending packet (RFC 792: its IP
 * header and first 8 bytes — here the packet value itself); ND carries the target address
 * and the link-layer address option.
 */
export interface Icmp {
  readonly proto: 'icmp';
  readonly type: number;
  readonly code: number;
  readonly id?: number;
  readonly seq?: number;
  readonly quoted?: IpPacket;
  readonly target?: bigint;
  readonly lladdr?: Mac;
}

export type L4 = Tcp | Udp | Icmp;

export interface IpPacket {
  readonly kind: 'ip';
  readonly version: 4 | 6;
  readonly src: IpValue;
  readonly dst: IpValue;
  /** TTL (IPv4) or hop limit (IPv6). */
  readonly ttl: number;
  readonly l4: L4;
}

export interface Frame {
  readonly src: Mac;
  readonly dst: Mac;
  readonly payload: Arp | IpPacket;
}

/** ICMP types the simulator uses, per version. */
export const ICMP = {
  v4: { echoReply: 0, unreachable: 3, echoRequest: 8, timeExceeded: 11, codes: { net: 0, host: 1, port: 3 } },
  v6: { unreachable: 1, timeExceeded: 3, echoRequest: 128, echoReply: 129, ns: 135, na: 136, codes: { noRoute: 0, address: 3, port: 4 } },
} as const;

export const echoRequestType = (version: 4 | 6): number => (version === 4 ? ICMP.v4.echoRequest : ICMP.v6.echoRequest);
export const echoReplyType = (version: 4 | 6): number => (version === 4 ? ICMP.v4.echoReply : ICMP.v6.echoReply);

export function isIcmpError(l4: L4, version: 4 | 6): l4 is Icmp {
  if (l4.proto !== 'icmp') return false;
  return version === 4 ? l4.type === ICMP.v4.unreachable || l4.type === ICMP.v4.timeExceeded : l4.type === ICMP.v6.unreachable || l4.type === ICMP.v6.timeExceeded;
}

export const isNeighborDiscovery = (p: IpPacket): boolean =>
  p.version === 6 && p.l4.proto === 'icmp' && (p.l4.type === ICMP.v6.ns || p.l4.type === ICMP.v6.na);

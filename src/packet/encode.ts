/**
 * Frames to wire bytes, for captures (pcap) that Wireshark and tcpdump read. Pure: a Uint8Array
 * and a DataView, no node:Buffer, so a browser can encode too. Lengths and checksums are real
 * (RFC 1071; pseudo-headers of RFC 9293 §3.1, RFC 768, RFC 8200 §8.1); Ethernet frames are
 * padded to the 60-byte minimum as they go on a wire (IEEE 802.3, FCS not included, as captures
 * show it).
 *
 * The model keeps only the fields that decide behaviour; the rest get fixed values so that the
 * same frame always gives the same bytes and a segment reads the same before and after NAT:
 * - IPv4: identification 0 with Don't Fragment (RFC 6864 §4.1: atomic datagrams), no options,
 *   DSCP/ECN 0. IPv6: traffic class and flow label 0.
 * - TCP: no options, window 64240 (Linux's initial window), urgent pointer 0. Both ends use
 *   the same initial sequence number `TCP_ISN`, so a handshake's numbers agree without a
 *   sequence space in the model: SYN seq=ISN; other segments seq=ISN+1; ack=ISN+1 when ACK is
 *   set; a RST-ACK (the answer to a SYN on a closed port) has seq=0 (RFC 9293 §3.10.7.1).
 * - No payloads: echo carries no data, UDP and TCP none. An ICMP error quotes the whole
 *   offending packet (it is small; RFC 1812 §4.3.2.3 and RFC 4443 §2.4 allow up to 576/1280
 *   bytes). A neighbour advertisement sets Solicited and Override when it is unicast and only
 *   Override otherwise (RFC 4861 §7.2.4); the model does not say whether a router answers, so R
 *   is never set.
 */
import { isNeighborDiscovery, ICMP, TCP_ACK, TCP_RST, TCP_SYN, type Arp, type Frame, type Icmp, type IpPacket } from './frame.js';
import type { IpValue } from './ip-value.js';

export const ETHERTYPE = { ipv4: 0x0800, arp: 0x0806, ipv6: 0x86dd } as const;
export const IP_PROTOCOL = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58 } as const;
/** The initial sequence number of every connection ("vnet" in ASCII). */
export const TCP_ISN = 0x766e6574;
export const TCP_WINDOW = 64240;
/** Ethernet's minimum frame without the FCS. */
export const MIN_FRAME = 60;

const ETH_HEADER = 14;
const ARP_LENGTH = 28;
const TCP_HEADER = 20;
const UDP_HEADER = 8;
const ICMP_HEADER = 8;
const ND_FIXED = 24; // type, code, checksum, reserved/flags, target
const ND_OPTION = 8; // a link-layer address option: type, length (in 8 bytes), 6-byte MAC
const NA_SOLICITED = 0x40000000;
const NA_OVERRIDE = 0x20000000;

export function encodeFrame(f: Frame): Uint8Array {
  const payload = f.payload.kind === 'arp' ? ARP_LENGTH : packetLength(f.payload);
  const bytes = new Uint8Array(Math.max(MIN_FRAME, ETH_HEADER + payload));
  const view = new DataView(bytes.buffer);
  writeMac(view, 0, f.dst);
  writeMac(view, 6, f.src);
  if (f.payload.kind === 'arp') {
    view.setUint16(12, ETHERTYPE.arp);
    writeArp(view, ETH_HEADER, f.payload);
  } else {
    view.setUint16(12, f.payload.version === 4 ? ETHERTYPE.ipv4 : ETHERTYPE.ipv6);
    writePacket(bytes, view, ETH_HEADER, f.payload);
  }
  return bytes;
}

/** An IP packet alone (no Ethernet header), as an ICMP error quotes it. */
export function encodePacket(p: IpPacket): Uint8Array {
  const bytes = new Uint8Array(packetLength(p));
  writePacket(bytes, new DataView(bytes.buffer), 0, p);
  return bytes;
}

export const packetLength = (p: IpPacket): number => (p.version === 4 ? 20 : 40) + l4Length(p);

function l4Length(p: IpPacket): number {
  const l4 = p.l4;
  if (l4.proto === 'tcp') return TCP_HEADER;
  if (l4.proto === 'udp') return UDP_HEADER;
  if (isNeighborDiscovery(p)) return ND_FIXED + (l4.lladdr !== undefined ? ND_OPTION : 0);
  return ICMP_HEADER + (l4.quoted ? packetLength(l4.quoted) : 0);
}

/** RFC 826: Ethernet hardware, IPv4 protocol addresses. */
function writeArp(view: DataView, at: number, a: Arp): void {
  view.setUint16(at, 1);
  view.setUint16(at + 2, ETHERTYPE.ipv4);
  view.setUint8(at + 4, 6);
  view.setUint8(at + 5, 4);
  view.setUint16(at + 6, a.op === 'request' ? 1 : 2);
  writeMac(view, at + 8, a.senderMac);
  view.setUint32(at + 14, a.senderIp >>> 0);
  writeMac(view, at + 18, a.targetMac);
  view.setUint32(at + 24, a.targetIp >>> 0);
}

function writePacket(bytes: Uint8Array, view: DataView, at: number, p: IpPacket): void {
  const l4Len = l4Length(p);
  const proto = protocolNumber(p);
  let l4At: number;
  if (p.version === 4) {
    view.setUint8(at, 0x45);
    view.setUint16(at + 2, 20 + l4Len);
    view.setUint16(at + 6, 0x4000); // DF, id 0 (left zero at at + 4)
    view.setUint8(at + 8, p.ttl);
    view.setUint8(at + 9, proto);
    writeIpValue(view, at + 12, p.src);
    writeIpValue(view, at + 16, p.dst);
    view.setUint16(at + 10, checksum(bytes, at, at + 20, 0));
    l4At = at + 20;
  } else {
    view.setUint32(at, 0x60000000);
    view.setUint16(at + 4, l4Len);
    view.setUint8(at + 6, proto);
    view.setUint8(at + 7, p.ttl);
    writeIpValue(view, at + 8, p.src);
    writeIpValue(view, at + 24, p.dst);
    l4At = at + 40;
  }
  const l4 = p.l4;
  let sumAt: number;
  if (l4.proto === 'tcp') {
    view.setUint16(l4At, l4.sport);
    view.setUint16(l4At + 2, l4.dport);
    view.setUint32(l4At + 4, tcpSeq(l4.flags));
    view.setUint32(l4At + 8, l4.flags & TCP_ACK ? (TCP_ISN + 1) >>> 0 : 0);
    view.setUint8(l4At + 12, (TCP_HEADER / 4) << 4);
    view.setUint8(l4At + 13, l4.flags & 0xff);
    view.setUint16(l4At + 14, TCP_WINDOW);
    sumAt = l4At + 16;
  } else if (l4.proto === 'udp') {
    view.setUint16(l4At, l4.sport);
    view.setUint16(l4At + 2, l4.dport);
    view.setUint16(l4At + 4, l4Len);
    sumAt = l4At + 6;
  } else {
    view.setUint8(l4At, l4.type);
    view.setUint8(l4At + 1, l4.code);
    writeIcmpBody(bytes, view, l4At, p, l4);
    sumAt = l4At + 2;
  }
  // ICMPv4 alone has no pseudo-header (RFC 792).
  const pseudo = p.version === 4 ? (proto === IP_PROTOCOL.icmp ? 0 : pseudoSum(bytes, at + 12, 8, proto, l4Len)) : pseudoSum(bytes, at + 8, 32, proto, l4Len);
  let sum = checksum(bytes, l4At, l4At + l4Len, pseudo);
  // RFC 768: a computed zero is sent as all ones (zero means "no checksum").
  if (sum === 0 && l4.proto === 'udp') sum = 0xffff;
  view.setUint16(sumAt, sum);
}

function writeIcmpBody(bytes: Uint8Array, view: DataView, at: number, p: IpPacket, l4: Icmp): void {
  if (isNeighborDiscovery(p)) {
    const advert = l4.type === ICMP.v6.na;
    if (advert) view.setUint32(at + 4, isMulticastV6(p.dst as bigint) ? NA_OVERRIDE : NA_SOLICITED | NA_OVERRIDE);
    writeV6(view, at + 8, l4.target ?? 0n);
    if (l4.lladdr !== undefined) {
      view.setUint8(at + 24, advert ? 2 : 1); // target / source link-layer address (RFC 4861 §4.6.1)
      view.setUint8(at + 25, 1);
      writeMac(view, at + 26, l4.lladdr);
    }
    return;
  }
  // Echo: identifier and sequence number; errors: unused (zero); other types: the same two fields if given.
  view.setUint16(at + 4, (l4.id ?? 0) & 0xffff);
  view.setUint16(at + 6, (l4.seq ?? 0) & 0xffff);
  if (l4.quoted) writePacket(bytes, view, at + ICMP_HEADER, l4.quoted);
}

function tcpSeq(flags: number): number {
  if (flags & TCP_SYN) return TCP_ISN;
  if ((flags & (TCP_RST | TCP_ACK)) === (TCP_RST | TCP_ACK)) return 0;
  return (TCP_ISN + 1) >>> 0;
}

function protocolNumber(p: IpPacket): number {
  const proto = p.l4.proto;
  if (proto === 'tcp') return IP_PROTOCOL.tcp;
  if (proto === 'udp') return IP_PROTOCOL.udp;
  return p.version === 4 ? IP_PROTOCOL.icmp : IP_PROTOCOL.icmpv6;
}

/** The sum (not yet folded or complemented) of a pseudo-header: the addresses already written at `addrAt`, the protocol and the upper-layer length. */
function pseudoSum(bytes: Uint8Array, addrAt: number, addrLength: number, proto: number, length: number): number {
  let sum = proto + (length & 0xffff) + (length >>> 16);
  for (let i = addrAt; i < addrAt + addrLength; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  return sum;
}

/** RFC 1071: the one's complement of the one's complement sum of 16-bit words (an odd last byte is padded with zero). */
export function checksum(bytes: Uint8Array, start: number, end: number, initial: number): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** A MAC is a 48-bit number: its top 16 bits, then the low 32. */
function writeMac(view: DataView, at: number, mac: number): void {
  view.setUint16(at, Math.floor(mac / 2 ** 32));
  view.setUint32(at + 2, mac % 2 ** 32);
}

function writeV6(view: DataView, at: number, a: bigint): void {
  view.setBigUint64(at, a >> 64n);
  view.setBigUint64(at + 8, a & 0xffffffffffffffffn);
}

/** An address in network byte order: 4 bytes for IPv4, 16 for IPv6. */
export function writeIpValue(view: DataView, at: number, a: IpValue): void {
  if (typeof a === 'number') view.setUint32(at, a >>> 0);
  else writeV6(view, at, a);
}

const isMulticastV6 = (a: bigint): boolean => a >> 120n === 0xffn;

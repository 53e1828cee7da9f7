/**
 * A trace event's structured packet (TraceEvent.headers): the frame or packet a stage traced,
 * as plain JSON values — MACs and addresses as text (no bigints), numbers for protocol fields —
 * so the viewer and the pcap writer read fields instead of parsing the one-line summary.
 * `frameOfHeaders` is the inverse for a frame (what pcap.ts encodes); docs/trace-json.md's
 * events section documents the shape.
 */
import { formatMac, parseMac } from '../address/mac.js';
import { parseIp } from '../address/ip.js';
import type { Frame, IpPacket, L4 } from '../packet/frame.js';
import { formatIpValue, toIpValue, type IpValue } from '../packet/ip-value.js';
import type { ArpHeader, IpHeader, L4Header, PacketHeaders } from './events.js';

/** Ethertypes and IP protocol numbers (IANA), as the headers carry them. */
const ETHERTYPE = { ipv4: 0x0800, arp: 0x0806, ipv6: 0x86dd } as const;
const PROTO = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58 } as const;

function ipHeader(p: IpPacket): IpHeader {
  const proto = p.l4.proto === 'icmp' ? (p.version === 4 ? PROTO.icmp : PROTO.icmpv6) : PROTO[p.l4.proto];
  return p.version === 4
    ? { version: 4, src: formatIpValue(p.src), dst: formatIpValue(p.dst), ttl: p.ttl, proto }
    : { version: 6, src: formatIpValue(p.src), dst: formatIpValue(p.dst), hopLimit: p.ttl, proto };
}

function l4Header(l4: L4): L4Header {
  if (l4.proto === 'tcp') return { proto: 'tcp', sport: l4.sport, dport: l4.dport, flags: l4.flags };
  if (l4.proto === 'udp') return { proto: 'udp', sport: l4.sport, dport: l4.dport };
  return {
    proto: 'icmp', type: l4.type, code: l4.code,
    ...(l4.id !== undefined ? { id: l4.id } : {}),
    ...(l4.seq !== undefined ? { seq: l4.seq } : {}),
    ...(l4.target !== undefined ? { target: formatIpValue(l4.target) } : {}),
    ...(l4.lladdr !== undefined ? { lladdr: formatMac(l4.lladdr) } : {}),
    ...(l4.quoted ? { quoted: { ip: ipHeader(l4.quoted), l4: l4Header(l4.quoted.l4) } } : {}),
  };
}

/** The headers of a traced frame, or of a packet (no Ethernet header: the stage traced the IP packet). */
export function headersOf(what: Frame | IpPacket): PacketHeaders {
  if (!('payload' in what)) return { eth: null, ip: ipHeader(what), l4: l4Header(what.l4) };
  const p = what.payload;
  const eth = { src: formatMac(what.src), dst: formatMac(what.dst), type: p.kind === 'arp' ? ETHERTYPE.arp : p.version === 4 ? ETHERTYPE.ipv4 : ETHERTYPE.ipv6 };
  if (p.kind === 'arp') {
    const arp: ArpHeader = { op: p.op, senderMac: formatMac(p.senderMac), senderIp: formatIpValue(p.senderIp), targetMac: formatMac(p.targetMac), targetIp: formatIpValue(p.targetIp) };
    return { eth, arp, ip: null, l4: null };
  }
  return { eth, ip: ipHeader(p), l4: l4Header(p.l4) };
}

/**
 * An event's headers as the simulator records them: the traced frame or packet, turned into
 * headers only when read (a field, or JSON.stringify through toJSON), since most traces are
 * never serialised field by field and building every event's headers up front doubled the cost
 * of recording. Frames and packets are immutable values (packet/frame.ts), so what is read later
 * is what was traced.
 */
export class TracedHeaders implements PacketHeaders {
  private built: PacketHeaders | undefined;

  constructor(private readonly traced: Frame | IpPacket) {}

  private get headers(): PacketHeaders {
    return (this.built ??= headersOf(this.traced));
  }

  get eth(): PacketHeaders['eth'] {
    return this.headers.eth;
  }

  get arp(): PacketHeaders['arp'] {
    return this.headers.arp;
  }

  get ip(): PacketHeaders['ip'] {
    return this.headers.ip;
  }

  get l4(): PacketHeaders['l4'] {
    return this.headers.l4;
  }

  /** The plain headers, as JSON.stringify writes them. */
  toJSON(): PacketHeaders {
    return this.headers;
  }
}

const ipOf = (text: string, where: string): IpValue => {
  const ip = parseIp(text);
  if (!ip) throw new Error(`${where}: expected an IP address, found ${JSON.stringify(text)}`);
  return toIpValue(ip);
};
const macOf = (text: string, where: string): number => {
  const mac = parseMac(text);
  if (mac === undefined) throw new Error(`${where}: expected a MAC address, found ${JSON.stringify(text)}`);
  return mac;
};

function packetOf(ip: IpHeader, l4: L4Header, where: string): IpPacket {
  const ttl = ip.version === 4 ? ip.ttl : ip.hopLimit;
  const l4v: L4 = l4.proto === 'tcp' ? { proto: 'tcp', sport: l4.sport, dport: l4.dport, flags: l4.flags }
    : l4.proto === 'udp' ? { proto: 'udp', sport: l4.sport, dport: l4.dport }
      : {
        proto: 'icmp', type: l4.type, code: l4.code,
        ...(l4.id !== undefined ? { id: l4.id } : {}),
        ...(l4.seq !== undefined ? { seq: l4.seq } : {}),
        ...(l4.target !== undefined ? { target: ipOf(l4.target, `${where}.l4.target`) as bigint } : {}),
        ...(l4.lladdr !== undefined ? { lladdr: macOf(l4.lladdr, `${where}.l4.lladdr`) } : {}),
        ...(l4.quoted ? { quoted: packetOf(l4.quoted.ip, l4.quoted.l4, `${where}.l4.quoted`) } : {}),
      };
  return { kind: 'ip', version: ip.version, src: ipOf(ip.src, `${where}.ip.src`), dst: ipOf(ip.dst, `${where}.ip.dst`), ttl: ttl ?? 0, l4: l4v };
}

/** The frame an event's headers describe, or undefined when they hold no Ethernet header (a packet was traced). */
export function frameOfHeaders(h: PacketHeaders, where = 'headers'): Frame | undefined {
  if (!h.eth) return undefined;
  const src = macOf(h.eth.src, `${where}.eth.src`);
  const dst = macOf(h.eth.dst, `${where}.eth.dst`);
  if (h.arp) {
    const a = h.arp;
    return { src, dst, payload: { kind: 'arp', op: a.op, senderMac: macOf(a.senderMac, `${where}.arp.senderMac`), senderIp: ipOf(a.senderIp, `${where}.arp.senderIp`) as number, targetMac: macOf(a.targetMac, `${where}.arp.targetMac`), targetIp: ipOf(a.targetIp, `${where}.arp.targetIp`) as number } };
  }
  if (!h.ip || !h.l4) throw new Error(`${where}: an Ethernet header without ARP or IP and transport headers`);
  return { src, dst, payload: packetOf(h.ip, h.l4, where) };
}

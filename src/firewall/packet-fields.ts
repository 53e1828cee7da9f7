/**
 * The fields a firewall rule can match, taken from a packet once: ethertype, IP protocol
 * number, addresses, TCP/UDP ports, ICMP type and code. Rules compare against these numbers;
 * nothing parses a packet twice.
 */
import type { IpPacket } from '../packet/frame.js';
import type { IpValue } from '../packet/ip-value.js';

export const PROTO = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58 } as const;

export interface PacketFields {
  readonly version: 4 | 6;
  readonly proto: number;
  readonly src: IpValue;
  readonly dst: IpValue;
  /** Destination port (TCP/UDP), or -1. */
  readonly dport: number;
  readonly sport: number;
  /** ICMP type and code, or -1. */
  readonly icmpType: number;
  readonly icmpCode: number;
}

export function fieldsOf(p: IpPacket): PacketFields {
  const l4 = p.l4;
  if (l4.proto === 'icmp') {
    return { version: p.version, proto: p.version === 4 ? PROTO.icmp : PROTO.icmpv6, src: p.src, dst: p.dst, dport: -1, sport: -1, icmpType: l4.type, icmpCode: l4.code };
  }
  return { version: p.version, proto: l4.proto === 'tcp' ? PROTO.tcp : PROTO.udp, src: p.src, dst: p.dst, dport: l4.dport, sport: l4.sport, icmpType: -1, icmpCode: -1 };
}

/** `tcp/5432 from 10.0.0.2`: how a verdict names the traffic it judged. */
export function describeTraffic(f: PacketFields, direction: 'ingress' | 'egress', fmt: (a: IpValue) => string): string {
  const name = f.proto === PROTO.tcp ? 'tcp' : f.proto === PROTO.udp ? 'udp' : f.proto === PROTO.icmp ? 'icmp' : f.proto === PROTO.icmpv6 ? 'icmpv6' : `proto ${f.proto}`;
  const what = f.dport >= 0 ? `${name}/${f.dport}` : f.icmpType >= 0 ? `${name} type ${f.icmpType}` : name;
  // Both ends, as the port sees them (after any NAT: security groups see fixed addresses).
  void direction;
  return `${what} from ${fmt(f.src)} to ${fmt(f.dst)}`;
}

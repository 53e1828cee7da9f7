/**
 * A connection's identity — protocol, addresses, ports — as conntrack, NAT, host sockets and
 * the load balancer key it (gopacket's Flow; Linux's nf_conntrack_tuple). ICMP echo uses its id
 * as both ports and keeps its type in the protocol tag, as nf_conntrack_proto_icmp.c does: the
 * reverse of an echo request (8, 128) is an echo reply (0, 129), and a request is never a reply.
 */
import { echoReplyType, echoRequestType, type IpPacket } from './frame.js';
import { formatIpValue, type IpValue } from './ip-value.js';

/**
 * A flow's protocol tag: TCP and UDP by their IP protocol numbers; ICMP echo request and reply
 * (each other's reverse) and any other informational ICMP message (its own reverse) by 1-3.
 */
export const FLOW_PROTO = { echoRequest: 1, echoReply: 2, icmpOther: 3, tcp: 6, udp: 17 } as const;

export const isIcmpFlowProto = (proto: number): boolean => proto >= FLOW_PROTO.echoRequest && proto <= FLOW_PROTO.icmpOther;

/** The tag a flow's replies carry: the other echo type, or the same protocol (Linux's invmap). */
export function reverseFlowProto(proto: number): number {
  return proto === FLOW_PROTO.echoRequest ? FLOW_PROTO.echoReply : proto === FLOW_PROTO.echoReply ? FLOW_PROTO.echoRequest : proto;
}

/** The protocol tag of a packet's L4 header. */
export function flowProtoOf(p: IpPacket): number {
  const l4 = p.l4;
  if (l4.proto === 'tcp') return FLOW_PROTO.tcp;
  if (l4.proto === 'udp') return FLOW_PROTO.udp;
  if (l4.type === echoRequestType(p.version)) return FLOW_PROTO.echoRequest;
  if (l4.type === echoReplyType(p.version)) return FLOW_PROTO.echoReply;
  return FLOW_PROTO.icmpOther;
}

/** `tcp`, `udp`, `icmp-request`, `icmp-reply`, `icmp`: how node state and traces name a tag. */
export function flowProtoName(proto: number): string {
  switch (proto) {
    case FLOW_PROTO.tcp: return 'tcp';
    case FLOW_PROTO.udp: return 'udp';
    case FLOW_PROTO.echoRequest: return 'icmp-request';
    case FLOW_PROTO.echoReply: return 'icmp-reply';
    case FLOW_PROTO.icmpOther: return 'icmp';
    default: return `proto-${proto}`;
  }
}

export class Flow {
  constructor(
    readonly proto: number,
    readonly src: IpValue,
    readonly sport: number,
    readonly dst: IpValue,
    readonly dport: number,
  ) {}

  /** The flow a packet belongs to, in the packet's own direction. */
  static of(p: IpPacket): Flow {
    const l4 = p.l4;
    if (l4.proto === 'icmp') {
      const id = l4.id ?? 0;
      return new Flow(flowProtoOf(p), p.src, id, p.dst, id);
    }
    return new Flow(l4.proto === 'tcp' ? FLOW_PROTO.tcp : FLOW_PROTO.udp, p.src, l4.sport, p.dst, l4.dport);
  }

  /** The flow its replies carry: ends swapped, an echo request's tag turned into a reply's. */
  reverse(): Flow {
    return new Flow(reverseFlowProto(this.proto), this.dst, this.dport, this.src, this.sport);
  }

  /** The same flow from another source; an ICMP echo's id is both of its "ports". */
  withSource(src: IpValue, sport: number): Flow {
    return new Flow(this.proto, src, sport, this.dst, isIcmpFlowProto(this.proto) ? sport : this.dport);
  }

  withDestination(dst: IpValue, dport: number): Flow {
    return new Flow(this.proto, this.src, this.sport, dst, dport);
  }

  /** A canonical text key: equal flows, and only they, have equal keys (an IPv6 address is marked, so 1 and 1n differ). */
  get key(): string {
    const addr = (a: IpValue) => (typeof a === 'bigint' ? `${a}n` : String(a));
    return `${this.proto}|${addr(this.src)}|${this.sport}|${addr(this.dst)}|${this.dport}`;
  }

  /** `tcp 10.0.0.2:40001 → 10.0.1.21:5432`, `icmp 10.0.0.2 → 10.0.1.21 id=1` (conntrack's view). */
  get text(): string {
    if (isIcmpFlowProto(this.proto)) return `icmp ${formatIpValue(this.src)} → ${formatIpValue(this.dst)} id=${this.sport}`;
    return `${flowProtoName(this.proto)} ${formatIpValue(this.src)}:${this.sport} → ${formatIpValue(this.dst)}:${this.dport}`;
  }

  /** `10.0.0.2:40001 → 10.0.1.21:5432`, `10.0.0.2 → 10.0.1.21` for ICMP (NAT's view: the ends it rewrites). */
  get endpoints(): string {
    if (isIcmpFlowProto(this.proto)) return `${formatIpValue(this.src)} → ${formatIpValue(this.dst)}`;
    return `${formatIpValue(this.src)}:${this.sport} → ${formatIpValue(this.dst)}:${this.dport}`;
  }
}

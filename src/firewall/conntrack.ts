/**
 * Connection tracking for one port (a conntrack zone per port, as Neutron's OVS firewall
 * uses): entries keyed by the flow's original 5-tuple; a packet is `new` (no entry),
 * `established` (it belongs to a tracked flow, either way), `related` (an ICMP error quoting
 * a tracked flow) or `invalid` (an echo reply that answers no tracked request). TCP RST ends an
 * entry, FIN shortens it to the close timeout; entries expire on the virtual clock with Linux's
 * default timeouts (nf_conntrack_*_timeout_*). ICMP echo keeps its type in the tuple, as
 * nf_conntrack_proto_icmp.c does: the reply of a request (8) is a reply (0), so a request coming
 * back the other way (an instance pinging its own floating IP) is a new flow, not a reply.
 */
import type { IpPacket } from '../packet/frame.js';
import { echoReplyType, echoRequestType, TCP_FIN, TCP_RST } from '../packet/frame.js';
import { formatIpValue, type IpValue } from '../packet/ip-value.js';
import { FlowTable, type FlowTuple } from './flow-table.js';

export type CtState = 'new' | 'established' | 'related' | 'invalid';

const S = 1_000_000;
export const CT_TIMEOUT_US = {
  tcpEstablished: 432_000 * S,
  tcpClose: 120 * S,
  udp: 30 * S,
  udpStream: 120 * S,
  icmp: 30 * S,
} as const;

export interface CtEntry {
  /** The original direction's tuple, and its summary, e.g. `tcp 10.0.0.2:40001 → 10.0.1.21:5432`. */
  readonly key: FlowTuple;
  readonly text: string;
  /** Which port direction opened it: egress (the instance connected out) or ingress. */
  readonly openedBy: 'ingress' | 'egress';
  replied: boolean;
  /** A FIN was seen: the connection is closing and keeps the close timeout from then on. */
  closing: boolean;
  expires: number;
}

export interface CtLookup {
  readonly state: CtState;
  readonly entry?: CtEntry;
  /** True when the packet travels in the entry's reply direction. */
  readonly reply?: boolean;
}

/**
 * The flow-table tag of an ICMP message that is not an error: echo request and echo reply are
 * each other's reverse (Linux's invmap: 8 ↔ 0, 128 ↔ 129); any other informational type is its
 * own flow with no reply direction.
 */
export const ICMP_TAG = { echoRequest: 1, echoReply: 2, other: 3 } as const;

function icmpTag(version: 4 | 6, type: number): number {
  if (type === echoRequestType(version)) return ICMP_TAG.echoRequest;
  if (type === echoReplyType(version)) return ICMP_TAG.echoReply;
  return ICMP_TAG.other;
}

/** The tag a flow's replies carry: the other echo type, or the same protocol. */
export function reverseTag(tag: number): number {
  return tag === ICMP_TAG.echoRequest ? ICMP_TAG.echoReply : tag === ICMP_TAG.echoReply ? ICMP_TAG.echoRequest : tag;
}

/** The tuple of a packet's flow in its own direction, and the tuple its replies would have. */
export function flowKeys(p: IpPacket): { forward: FlowTuple; reverse: FlowTuple } {
  const l4 = p.l4;
  if (l4.proto === 'icmp') {
    // Echo request and reply share an id; the reply's tuple swaps the addresses and the type.
    const id = l4.id ?? 0;
    const tag = icmpTag(p.version, l4.type);
    return { forward: { proto: tag, src: p.src, sport: id, dst: p.dst, dport: id }, reverse: { proto: reverseTag(tag), src: p.dst, sport: id, dst: p.src, dport: id } };
  }
  const proto = l4.proto === 'tcp' ? 6 : 17;
  return { forward: { proto, src: p.src, sport: l4.sport, dst: p.dst, dport: l4.dport }, reverse: { proto, src: p.dst, sport: l4.dport, dst: p.src, dport: l4.sport } };
}

export function flowText(p: IpPacket): string {
  const l4 = p.l4;
  if (l4.proto === 'icmp') return `icmp ${formatIpValue(p.src)} → ${formatIpValue(p.dst)} id=${l4.id ?? 0}`;
  return `${l4.proto} ${formatIpValue(p.src)}:${l4.sport} → ${formatIpValue(p.dst)}:${l4.dport}`;
}

/** flowText of the packet a tuple was taken from (flowKeys' forward tuple). */
function tupleText(k: FlowTuple): string {
  if (k.proto === ICMP_TAG.echoRequest || k.proto === ICMP_TAG.echoReply || k.proto === ICMP_TAG.other) return `icmp ${formatIpValue(k.src)} → ${formatIpValue(k.dst)} id=${k.sport}`;
  return `${k.proto === 6 ? 'tcp' : 'udp'} ${formatIpValue(k.src)}:${k.sport} → ${formatIpValue(k.dst)}:${k.dport}`;
}

/**
 * An entry, which is its own key (one object per flow); its text is built when someone reads
 * it (traces, snapshots), not for every flow, and not kept.
 */
class Entry implements CtEntry, FlowTuple {
  replied = false;
  closing = false;

  constructor(
    readonly proto: number,
    readonly src: IpValue,
    readonly sport: number,
    readonly dst: IpValue,
    readonly dport: number,
    readonly openedBy: 'ingress' | 'egress',
    public expires: number,
  ) {}

  get key(): FlowTuple {
    return this;
  }

  get text(): string {
    return tupleText(this);
  }
}

/** The flow-table protocol tag of a packet's L4 (as in flowKeys). */
const protoTag = (p: IpPacket): number => (p.l4.proto === 'icmp' ? icmpTag(p.version, p.l4.type) : p.l4.proto === 'tcp' ? 6 : 17);

const SWEEP_MIN = 1024;
const NEW: CtLookup = { state: 'new' };
/**
 * Linux creates a connection only from a request (icmp_new's valid_new: echo, timestamp, info,
 * address mask); an echo reply that answers nothing tracked is invalid, and Neutron's firewalls
 * drop invalid packets before any rule (iptables `--state INVALID -j DROP`, OVS `ct_state=+inv`).
 */
const INVALID: CtLookup = { state: 'invalid' };

export class ConnTrack {
  private readonly entries = new FlowTable<CtEntry>();
  private sweepAt = SWEEP_MIN;

  /** Classifies a packet without changing state. */
  lookup(p: IpPacket, now: number): CtLookup {
    const l4 = p.l4;
    if (l4.proto === 'icmp' && l4.quoted) {
      // RFC 792 errors quote the packet that caused them: related if that packet's flow is tracked.
      const q = flowKeys(l4.quoted);
      const entry = this.live(q.forward, now) ?? this.live(q.reverse, now);
      return entry ? { state: 'related', entry } : { state: 'new' };
    }
    // flowKeys without the tuples: echo uses its id as both ports.
    const proto = protoTag(p);
    const sport = l4.proto === 'icmp' ? l4.id ?? 0 : l4.sport;
    const dport = l4.proto === 'icmp' ? sport : l4.dport;
    const orig = this.liveParts(proto, p.src, sport, p.dst, dport, now);
    if (orig) return { state: 'established', entry: orig, reply: false };
    const rep = this.liveParts(reverseTag(proto), p.dst, dport, p.src, sport, now);
    if (rep) return { state: 'established', entry: rep, reply: true };
    return proto === ICMP_TAG.echoReply ? INVALID : NEW;
  }

  /** Records a new flow that the rules allowed. */
  commit(p: IpPacket, openedBy: 'ingress' | 'egress', now: number): CtEntry {
    if (this.entries.size >= this.sweepAt) this.sweep(now);
    // flowKeys(p).forward, as the entry itself.
    const l4 = p.l4;
    const sport = l4.proto === 'icmp' ? l4.id ?? 0 : l4.sport;
    const entry = new Entry(protoTag(p), p.src, sport, p.dst, l4.proto === 'icmp' ? sport : l4.dport, openedBy, now + this.timeout(p, false));
    this.entries.set(entry, entry);
    return entry;
  }

  /** Updates an entry with a packet that belongs to it (timeouts, TCP teardown). */
  update(entry: CtEntry, p: IpPacket, reply: boolean, now: number): void {
    const l4 = p.l4;
    // A related ICMP error leaves its connection's state and timeout alone (as in Linux).
    if (l4.proto === 'icmp' && l4.quoted) return;
    if (reply) entry.replied = true;
    if (l4.proto === 'tcp' && l4.flags & TCP_RST) {
      this.entries.delete(entry.key);
      return;
    }
    if (l4.proto === 'tcp' && l4.flags & TCP_FIN) entry.closing = true;
    entry.expires = now + (entry.closing ? CT_TIMEOUT_US.tcpClose : this.timeout(p, entry.replied));
  }

  private timeout(p: IpPacket, replied: boolean): number {
    const proto = p.l4.proto;
    if (proto === 'tcp') return replied ? CT_TIMEOUT_US.tcpEstablished : CT_TIMEOUT_US.tcpClose;
    if (proto === 'udp') return replied ? CT_TIMEOUT_US.udpStream : CT_TIMEOUT_US.udp;
    return CT_TIMEOUT_US.icmp;
  }

  /**
   * Forgets expired entries, so memory follows live flows. Amortised: the next sweep waits
   * until the table has doubled, so a table of long-lived flows is not rescanned for nothing.
   */
  private sweep(now: number): void {
    this.entries.deleteWhere((e) => e.expires < now);
    this.sweepAt = Math.max(SWEEP_MIN, 2 * this.entries.size);
  }

  private live(key: FlowTuple, now: number): CtEntry | undefined {
    return this.liveParts(key.proto, key.src, key.sport, key.dst, key.dport, now);
  }

  private liveParts(proto: number, src: IpValue, sport: number, dst: IpValue, dport: number, now: number): CtEntry | undefined {
    const e = this.entries.find(proto, src, sport, dst, dport);
    if (!e) return undefined;
    if (e.expires < now) {
      this.entries.delete(e.key);
      return undefined;
    }
    return e;
  }

  /** Entries alive now, for the viewer and tests. */
  snapshot(now: number): CtEntry[] {
    return [...this.entries.values()].filter((e) => e.expires >= now);
  }
}

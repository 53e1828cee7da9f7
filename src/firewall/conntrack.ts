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
import { TCP_FIN, TCP_RST } from '../packet/frame.js';
import type { IpValue } from '../packet/ip-value.js';
import { FLOW_PROTO, Flow, flowProtoOf, reverseFlowProto } from '../packet/flow.js';
import { FlowTable } from '../packet/flow-table.js';

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
  /** The original direction's flow, and its text, e.g. `tcp 10.0.0.2:40001 → 10.0.1.21:5432`. */
  readonly flow: Flow;
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
 * An entry, which is its own key (one object per flow); its text is built when someone reads
 * it (traces, snapshots), not for every flow, and not kept.
 */
class Entry extends Flow implements CtEntry {
  replied = false;
  closing = false;

  constructor(
    proto: number,
    src: IpValue,
    sport: number,
    dst: IpValue,
    dport: number,
    readonly openedBy: 'ingress' | 'egress',
    public expires: number,
  ) {
    super(proto, src, sport, dst, dport);
  }

  get flow(): Flow {
    return this;
  }
}

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
      const q = Flow.of(l4.quoted);
      const entry = this.live(q, now) ?? this.live(q.reverse(), now);
      return entry ? { state: 'related', entry } : { state: 'new' };
    }
    // Flow.of(p) and its reverse, without building them: echo uses its id as both ports.
    const proto = flowProtoOf(p);
    const sport = l4.proto === 'icmp' ? l4.id ?? 0 : l4.sport;
    const dport = l4.proto === 'icmp' ? sport : l4.dport;
    const orig = this.liveParts(proto, p.src, sport, p.dst, dport, now);
    if (orig) return { state: 'established', entry: orig, reply: false };
    const rep = this.liveParts(reverseFlowProto(proto), p.dst, dport, p.src, sport, now);
    if (rep) return { state: 'established', entry: rep, reply: true };
    return proto === FLOW_PROTO.echoReply ? INVALID : NEW;
  }

  /** Records a new flow that the rules allowed. */
  commit(p: IpPacket, openedBy: 'ingress' | 'egress', now: number): CtEntry {
    if (this.entries.size >= this.sweepAt) this.sweep(now);
    // Flow.of(p), as the entry itself.
    const l4 = p.l4;
    const sport = l4.proto === 'icmp' ? l4.id ?? 0 : l4.sport;
    const entry = new Entry(flowProtoOf(p), p.src, sport, p.dst, l4.proto === 'icmp' ? sport : l4.dport, openedBy, now + this.timeout(p, false));
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
      this.entries.delete(entry.flow);
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

  private live(key: Flow, now: number): CtEntry | undefined {
    return this.liveParts(key.proto, key.src, key.sport, key.dst, key.dport, now);
  }

  private liveParts(proto: number, src: IpValue, sport: number, dst: IpValue, dport: number, now: number): CtEntry | undefined {
    const e = this.entries.find(proto, src, sport, dst, dport);
    if (!e) return undefined;
    if (e.expires < now) {
      this.entries.delete(e.flow);
      return undefined;
    }
    return e;
  }

  /** Entries alive now, for the viewer and tests. */
  snapshot(now: number): CtEntry[] {
    return [...this.entries.values()].filter((e) => e.expires >= now);
  }
}

/**
 * NAT on a router, as Neutron's back ends set it up: floating IPs are 1:1 — DNAT of the floating
 * address to the fixed one on the way in, SNAT of the fixed address to the floating one on the
 * way out, taking precedence over the router's SNAT; port forwardings DNAT one external port.
 * Which other flows are SNATed to the gateway address depends on `neutron_backend`:
 * - `l3-agent` (iptables, neutron/agent/l3/router_info.py): everything leaving the gateway port
 *   when `snat: true` (`-o qg-… -j SNAT`), and a flow sent to a floating IP from inside that is
 *   DNATed back inside whether or not `snat` is on (`-m mark ! --mark <external> -m conntrack
 *   --ctstate DNAT -j SNAT`), so replies return through the router.
 * - `ovn` (ML2/OVN): one `snat` row per subnet attached to the router when `snat` is on
 *   (ovn_client.update_nat_rules), matched as `ip4.src == <cidr> && outport == <gateway port>`
 *   (northd build_lrouter_out_snat_match): a source behind another router is not SNATed. A flow
 *   to a floating IP from inside leaves by the gateway port, takes the client's own floating IP
 *   or its subnet's snat row there, and is looped back in and DNATed (lr_out_egr_loop,
 *   lr_in_dnat `inport == <gateway port>`); no rule SNATs it to the gateway otherwise.
 * Both: a VIP's member on the client's own link sees the router's address there (OVN's
 * lb_force_snat_ip=router_ip); a client on another subnet that reaches a VIP keeps its address.
 * Every translation is a connection-tracking entry: replies and ICMP errors about the flow are
 * translated back. Nothing is translated between internal subnets otherwise.
 */
import { formatIpValue, prefixContains, type IpValue, type PrefixValue } from '../packet/ip-value.js';
import type { IpPacket, L4 } from '../packet/frame.js';
import { Flow } from '../packet/flow.js';
import { FlowTable } from '../packet/flow-table.js';
import type { Balancer, MemberState } from '../lb/balancer.js';
import { selectMember, type LbSelection } from '../lb/select.js';

export interface FloatingIpRule {
  readonly name: string;
  readonly floating: IpValue;
  /** The fixed address it maps to (null for a port-forwarding-only floating IP). */
  readonly fixed: IpValue | null;
  readonly forwardings: readonly { readonly proto: 'tcp' | 'udp'; readonly externalPort: number; readonly internal: IpValue; readonly internalPort: number }[];
}

export type NeutronBackend = 'l3-agent' | 'ovn';

/** An ML2/OVN `snat` row: a subnet attached to the router, SNATed to the gateway address. */
export interface SnatRow {
  readonly subnet: string;
  readonly cidr: string;
  readonly prefix: PrefixValue;
}

export interface NatConfig {
  /** Load balancers whose VIPs this router serves, by VIP (OVN applies them in the router). */
  readonly balancers?: ReadonlyMap<IpValue, Balancer>;
  /** The router's gateway port and address on the external network, when it has one. */
  readonly gatewayPort: string | null;
  readonly gatewayIp: IpValue | null;
  readonly snat: boolean;
  readonly floatingIps: readonly FloatingIpRule[];
  /** Whose rules decide what else is SNATed (default `l3-agent`; see the top of this file). */
  readonly backend?: NeutronBackend;
  /** `ovn`: the subnets attached to the router, one `snat` row each when `snat` is on. */
  readonly snatRows?: readonly SnatRow[];
}

export type NatKind = 'snat' | 'dnat' | 'fip';

export interface Translation {
  readonly kind: NatKind;
  readonly packet: IpPacket;
  readonly from: string;
  readonly to: string;
  /** Why: which rule or tracked connection made it (the trace's detail.why). */
  readonly why: string;
  /** True when the packet belongs to a tracked flow and has had its whole translation. */
  readonly complete: boolean;
  /** The load balancer's choice, when the destination was a VIP with a listener. */
  readonly lb?: { readonly balancer: Balancer; readonly member: MemberState; readonly why: string };
  /** The flow entry a new DNAT created (SNAT in postrouting extends it). */
  readonly entry?: NatBinding;
  /** The trace event's action where it is not the kind: `reverse` (a reply or ICMP error translated back), `tracked`, `untranslated`. */
  readonly action?: string;
}

const kindOf = (e: NatBinding): NatKind => (e.original.dst !== e.translated.dst ? 'dnat' : 'snat');

export interface NatBinding {
  /** The packet's tuple before and after translation (original direction). */
  readonly original: Flow;
  readonly translated: Flow;
  /** Why replies of this flow are not translated back (`ovn` hairpin with no SNAT), if so. */
  readonly replyKept?: string;
}

/** A new flow before routing: its own flow, where a floating IP or port forwarding sends it, and why. */
export class NewFlow {
  constructor(readonly flow: Flow, readonly to: Flow, readonly kind: NatKind, readonly why: string) {}
}

/** A table of NAT entries by flow (flow-table.ts: no string per packet). */
type NatTable = FlowTable<NatBinding>;

function rewrite(p: IpPacket, t: Flow): IpPacket {
  const l4 = p.l4;
  let next: L4;
  // Literals in the field order packets are built with elsewhere (one shape for every packet).
  if (l4.proto === 'icmp') next = l4.quoted ? l4 : { ...l4, id: t.sport };
  else if (l4.proto === 'tcp') next = { proto: 'tcp', sport: t.sport, dport: t.dport, flags: l4.flags };
  else next = { proto: 'udp', sport: t.sport, dport: t.dport };
  return { kind: 'ip', version: p.version, src: t.src, dst: t.dst, ttl: p.ttl, l4: next };
}

/** A translation whose `from` and `to` texts are built when first read (traces, the verdict), not for every packet. */
class FlowTranslation implements Translation {
  private fromText: string | undefined;
  private toText: string | undefined;
  readonly lb: Translation['lb'];
  readonly entry: NatBinding | undefined;
  readonly action: string | undefined;

  constructor(
    readonly kind: NatKind,
    readonly packet: IpPacket,
    private readonly fromFlow: Flow,
    private readonly toFlow: Flow,
    readonly why: string,
    readonly complete: boolean,
    extra?: Pick<Translation, 'lb' | 'entry' | 'action'>,
  ) {
    this.lb = extra?.lb;
    this.entry = extra?.entry;
    this.action = extra?.action;
  }

  get from(): string {
    return (this.fromText ??= this.fromFlow.endpoints);
  }

  get to(): string {
    return (this.toText ??= this.toFlow.endpoints);
  }
}

export class RouterNat {
  /** Original tuple → entry, and the reply tuple a translated flow's answers carry → entry. */
  private readonly byOriginal: NatTable = new FlowTable();
  private readonly byReply: NatTable = new FlowTable();
  private readonly floatingByAddress = new Map<IpValue, FloatingIpRule>();
  private readonly floatingByFixed = new Map<IpValue, FloatingIpRule>();
  private readonly ovn: boolean;

  constructor(readonly config: NatConfig) {
    this.ovn = config.backend === 'ovn';
    for (const f of config.floatingIps) {
      this.floatingByAddress.set(f.floating, f);
      if (f.fixed !== null) this.floatingByFixed.set(f.fixed, f);
    }
  }

  /** Every translation held (one per connection, original direction), for the viewer's node state. */
  entries(): NatBinding[] {
    return [...this.byOriginal.values()];
  }

  /** Addresses the gateway port answers ARP for besides its own: the floating IPs. */
  get floatingAddresses(): IpValue[] {
    return [...this.floatingByAddress.keys()];
  }

  /**
   * Before routing, the connection-tracking half: a packet of a tracked flow — either way — or
   * an ICMP error about one gets that flow's translation (complete); a new flow gets where a
   * floating IP or port forwarding sends it (a NewFlow, which `lb.select` may then send on to
   * a member, and dnat() records); undefined when nothing applies (no tuple built then).
   */
  lookup(p: IpPacket): Translation | NewFlow | undefined {
    const l4 = p.l4;
    if (l4.proto === 'icmp' && l4.quoted) return this.translateIcmpError(p, l4.quoted);
    // Nothing tracked and nothing to DNAT at this address: no translation (and no tuple built).
    if (this.byReply.size === 0 && this.byOriginal.size === 0 && !this.floatingByAddress.has(p.dst) && !this.config.balancers?.has(p.dst)) return undefined;
    const t = Flow.of(p);
    const reply = this.byReply.get(t);
    if (reply) {
      if (reply.replyKept !== undefined) return this.applied(p, t, t, 'dnat', reply.replyKept, true, { action: 'untranslated' });
      // A reply: map it back onto the original flow, reversed.
      const back = reply.original.reverse();
      return this.applied(p, t, back, kindOf(reply), 'reply of a translated connection', true, { action: 'reverse' });
    }
    const known = this.byOriginal.get(t);
    if (known) return this.applied(p, t, known.translated, kindOf(known), 'packet of a translated connection', true, { action: 'tracked' });
    const fip = this.floatingByAddress.get(p.dst);
    if (fip) {
      const fwd = l4.proto !== 'icmp' ? fip.forwardings.find((f) => f.proto === l4.proto && f.externalPort === l4.dport) : undefined;
      if (fwd) return new NewFlow(t, t.withDestination(fwd.internal, fwd.internalPort), 'dnat', `port forwarding of floating IP ${fip.name}`);
      if (fip.fixed !== null) return new NewFlow(t, t.withDestination(fip.fixed, t.dport), 'fip', `floating IP ${fip.name}`);
    }
    return new NewFlow(t, t, 'dnat', '');
  }

  /** lookup(), the member choice and dnat() in one call, untraced; a refused VIP connection gets none. */
  prerouting(p: IpPacket): Translation | undefined {
    const l = this.lookup(p);
    if (!(l instanceof NewFlow)) return l;
    const l4 = p.l4;
    const balancer = l4.proto !== 'icmp' ? this.balancerAt(l.to.dst) : undefined;
    const selection = balancer && l4.proto !== 'icmp' ? selectMember(balancer, l4.proto, l.to.dport, l.flow) : undefined;
    return selection?.kind === 'reject' ? undefined : this.dnat(p, l, selection);
  }

  /** The packet as it would be with `to`'s addresses and ports (a new flow's destination after a floating IP). */
  redirect(p: IpPacket, to: Flow): IpPacket {
    return rewrite(p, to);
  }

  /** The load balancer whose VIP is `dst`, when this router serves it (OVN applies them in the router). */
  balancerAt(dst: IpValue): Balancer | undefined {
    return this.config.balancers?.get(dst);
  }

  /**
   * The DNAT of a new flow: where lookup() sent it, then to the member `lb.select` chose.
   * Records the connection; undefined when the flow's destination is not translated at all.
   */
  dnat(p: IpPacket, fresh: NewFlow, selection: LbSelection | undefined): Translation | undefined {
    let to = fresh.to;
    let kind = fresh.kind;
    let why = fresh.why;
    let lb: Translation['lb'];
    if (selection?.kind === 'select') {
      const { balancer, member } = selection;
      to = to.withDestination(member.address, member.member.protocolPort);
      lb = { balancer, member, why: selection.why };
      kind = 'dnat';
      const chose = `load balancer ${balancer.lb.name} → member ${member.member.instance} (${selection.why})`;
      why = why ? `${why}, ${chose}` : chose;
    }
    if (to === fresh.flow) return undefined;
    const entry = this.record(fresh.flow, to);
    return this.applied(p, fresh.flow, to, kind, why, false, lb ? { entry, lb } : { entry });
  }

  /**
   * After routing, before the packet leaves on `outPort`: floating-IP SNAT, then router SNAT,
   * for packets leaving through the gateway, and for DNATed packets going back inside
   * (hairpin), each as the back end does it (see the top of this file). `pre` is what
   * prerouting did; `linkAddress` is the router's own address on `outPort` in the packet's family.
   */
  postrouting(p: IpPacket, inPort: string | null, outPort: string, pre: Translation | undefined, linkAddress?: IpValue): Translation | undefined {
    if (pre?.complete) return undefined;
    const { gatewayPort, gatewayIp } = this.config;
    const dnated = pre?.entry;
    const leaving = gatewayPort !== null && outPort === gatewayPort && inPort !== gatewayPort;
    const inside = dnated !== undefined && inPort !== gatewayPort && outPort !== gatewayPort;
    // ovn: a balancer's floating IP is another VIP of the OVN load balancer (the Octavia OVN
    // provider adds it as `neutron:vip_fip`), applied in lr_in_dnat wherever the client is: the
    // VIP's rules apply, not a floating IP's hairpin.
    const viaFloating = inside && this.floatingByAddress.has(dnated.original.dst) && !(this.ovn && pre?.lb !== undefined);
    if (inside && !viaFloating && inPort === outPort && linkAddress !== undefined) {
      // A VIP's member on the client's own link: its replies would go straight to the client.
      const t = Flow.of(p);
      const to = t.withSource(linkAddress, this.freePort(t, linkAddress));
      this.record(t, to, dnated);
      return this.applied(p, t, to, 'snat', 'hairpin: the member is on the link the client came from, so SNATed to the router\'s address on it');
    }
    const hairpin = viaFloating;
    if (!leaving && !hairpin) return undefined;
    const t = Flow.of(p);
    const fip = this.floatingByFixed.get(p.src);
    if (fip) {
      const to = t.withSource(fip.floating, t.sport);
      this.record(t, to, dnated);
      const what = this.ovn ? `ovn: dnat_and_snat row of floating IP ${fip.name}${hairpin ? ' (hairpin: before the egress loopback)' : ''}` : `floating IP ${fip.name}${hairpin ? ' (hairpin)' : ''}`;
      return this.applied(p, t, to, 'fip', what);
    }
    if (this.ovn) return this.ovnSnat(p, t, hairpin, dnated);
    if (gatewayIp === null || (leaving && !this.config.snat && !hairpin)) return undefined;
    if (typeof gatewayIp !== typeof p.src) return undefined;
    const to = t.withSource(gatewayIp, this.freePort(t, gatewayIp));
    this.record(t, to, dnated);
    return this.applied(p, t, to, 'snat', hairpin
      ? 'l3-agent --ctstate DNAT -j SNAT: sent to a floating IP and DNATed back inside, so SNATed to the gateway address'
      : 'l3-agent: SNAT everything leaving the gateway port, to the gateway address');
  }

  /**
   * ovn: the `snat` row of the subnet the source is in, if the router is attached to it and
   * `snat` is on. A hairpin flow it does not cover keeps the client's address, and its replies
   * are not translated back: OVN undoes a floating IP's DNAT only on packets that leave by the
   * gateway port (lr_out_undnat `outport == <gateway port>`), and the member's reply goes back
   * inside, so the client sees it come from the member's own address.
   */
  private ovnSnat(p: IpPacket, t: Flow, hairpin: boolean, dnated: NatBinding | undefined): Translation | undefined {
    const { gatewayIp } = this.config;
    const row = this.config.snat && gatewayIp !== null && typeof gatewayIp === typeof p.src ? this.config.snatRows?.find((r) => prefixContains(r.prefix, p.src)) : undefined;
    if (row === undefined || gatewayIp === null) {
      if (hairpin && dnated) {
        const kept: NatBinding = { ...dnated, replyKept: 'ovn: not translated back — OVN undoes a floating IP\'s DNAT only on packets leaving by the gateway port (lr_out_undnat), and no snat row covered the client' };
        this.byOriginal.set(kept.original, kept);
        this.byReply.set(kept.translated.reverse(), kept);
      }
      return undefined;
    }
    const to = t.withSource(gatewayIp, this.freePort(t, gatewayIp));
    this.record(t, to, dnated);
    return this.applied(p, t, to, 'snat', `ovn: snat row for subnet ${row.subnet} (${row.cidr})${hairpin ? ', applied before the egress loopback' : ''}`);
  }

  private translateIcmpError(p: IpPacket, quoted: IpPacket): Translation | undefined {
    // The quoted packet is one we translated on its way out: the error comes back to the
    // translated address; restore the original addresses, outside and inside the quote.
    const q = Flow.of(quoted);
    const entry = this.byReply.getReverse(q);
    if (!entry) return undefined;
    const origQuoted = rewrite(quoted, entry.original);
    const back = entry.original.reverse();
    const outerSrc = p.src === entry.translated.dst ? entry.original.dst : p.src;
    const l4 = p.l4 as Extract<L4, { proto: 'icmp' }>;
    const packet: IpPacket = { ...p, src: outerSrc, dst: back.dst, l4: { ...l4, quoted: origQuoted } };
    return { kind: kindOf(entry), packet, from: `${formatIpValue(p.src)} → ${formatIpValue(p.dst)}`, to: `${formatIpValue(packet.src)} → ${formatIpValue(packet.dst)}`, why: 'ICMP error about a translated connection', complete: true, action: 'reverse' };
  }

  private record(from: Flow, to: Flow, prior?: NatBinding): NatBinding {
    if (prior) {
      // SNAT on top of the DNAT made in prerouting: one entry holds both translations.
      const merged: NatBinding = { original: prior.original, translated: to };
      this.byReply.delete(prior.translated.reverse());
      this.byOriginal.set(prior.original, merged);
      this.byReply.set(to.reverse(), merged);
      return merged;
    }
    const entry: NatBinding = { original: from, translated: to };
    this.byOriginal.set(from, entry);
    this.byReply.set(to.reverse(), entry);
    return entry;
  }

  /** Keep the source port unless another flow to the same destination already uses it. */
  private freePort(t: Flow, src: IpValue): number {
    let port = t.sport;
    for (let tries = 0; tries < 65536; tries++) {
      if (!this.byReply.getReverse(t.withSource(src, port))) return port;
      port = port >= 65535 ? 1024 : port + 1;
    }
    return t.sport;
  }

  private applied(p: IpPacket, from: Flow, to: Flow, kind: NatKind, why: string, complete = false, extra?: Pick<Translation, 'lb' | 'entry' | 'action'>): Translation {
    return new FlowTranslation(kind, rewrite(p, to), from, to, why, complete, extra);
  }
}

/**
 * A router (RFC 1812): answers ARP/ND for its interface addresses, takes frames sent to its
 * MACs, answers packets for its own addresses like a host, and forwards the rest: longest
 * prefix match, TTL/hop-limit decrement with ICMP time exceeded when it runs out, ICMP
 * unreachable when there is no route or the next hop does not answer, and the MAC rewrite
 * onto the egress interface. The internet node is a router too, with a host stack for every
 * public address nobody declared.
 */
import type { Mac } from '../address/mac.js';
import { ICMP, type Frame, type IpPacket } from '../packet/frame.js';
import { formatIpValue, type IpValue } from '../packet/ip-value.js';
import { respond } from '../l3/host-stack.js';
import { AddressIndex, sourceFor, type L3Interface } from '../l3/l3-interface.js';
import { NeighborResolver, type NeighborTimer } from '../l3/neighbors.js';
import type { L3Arrival } from '../l3/receive-stages.js';
import type { FrameMeta, Sim, SimNode } from '../engine/node-contract.js';
import { RouteTable, type Route } from '../l3/route-table.js';
import type { NewFlow, RouterNat, Translation } from './nat.js';
import type { LbSelection } from '../lb/select.js';
import { compileStages, type Pipeline, type StageRunner } from '../util/stages.js';
import { summarizePacket } from '../packet/summary.js';
import type { AclEvaluator } from '../firewall/network-acl.js';
import { fieldsOf } from '../firewall/packet-fields.js';
import { SharedDetails } from '../trace/shared-details.js';
import { liftsBlocker } from '../trace/verdict-reducer.js';

const ICMP_TTL = 64;

/** The network ACL of the subnet behind one of the router's interfaces. */
export interface InterfaceAcl {
  readonly subnet: string;
  readonly evaluator: AclEvaluator;
}

export interface RouterOptions {
  /** Who answers packets for addresses the router does not own but routes locally (the internet's hosts). */
  readonly localDelivery?: (sim: Sim, packet: IpPacket, meta: FrameMeta, via: string) => void;
  /** Interface port → the ACL of its subnet (AWS network ACLs sit at the subnet boundary). */
  readonly acls?: ReadonlyMap<string, InterfaceAcl>;
  /** SNAT, floating IPs and port forwardings (routers with an external gateway). */
  readonly nat?: RouterNat;
  /** The stages a packet meets, in order (src/engine/pipeline.ts's ROUTER_PIPELINE). */
  readonly stages: Pipeline<RouterHop>;
  /** The stages a frame arriving on an interface meets first (ROUTER_RECEIVE_PIPELINE): arp, nd, router.receive. */
  readonly receive: Pipeline<RouterArrival>;
}

/** A frame arriving on one of the router's interfaces. */
export interface RouterArrival extends L3Arrival {
  readonly router: RouterNode;
  port: string;
}

/** One packet's way through a router: what each stage reads and what it leaves for the next. */
export interface RouterHop {
  readonly router: RouterNode;
  readonly sim: Sim;
  readonly meta: FrameMeta;
  /** The interface it came in on; null for a packet the router originated (an ICMP error, an answer). */
  readonly inPort: string | null;
  /** The packet as the stages so far left it (NAT and TTL rewrite it). */
  packet: IpPacket;
  /** NAT's connection tracking for the packet (nat.lookup), taken once by the first stage that needs it. */
  natLookup: Translation | NewFlow | null | undefined;
  /** The member `lb.select` chose, for `nat.dnat`. */
  selection: LbSelection | undefined;
  /** The translation made before routing, for `nat.snat`. */
  pre: Translation | undefined;
  route: Route | undefined;
  out: L3Interface | undefined;
}

export class RouterNode implements SimNode {
  readonly routes = new RouteTable();
  readonly neighbors: NeighborResolver;
  readonly own: AddressIndex;
  /** Details shared by every event that reads the same: a route and next hop, an egress interface. */
  readonly routeDetails = new SharedDetails<Route, IpValue>();
  readonly forwardDetails = new SharedDetails<string, Mac>();
  /** The one arrival the receive stages read, refilled per frame (see L3Arrival); forward's hop is per packet, since forward re-enters itself (an ICMP error, an answer). */
  private arrival: RouterArrival | undefined;
  /** The two tables as functions (compileStages). */
  private readonly runReceive: StageRunner<RouterArrival>;
  private readonly runStages: StageRunner<RouterHop>;

  constructor(
    readonly id: string,
    readonly interfaces: ReadonlyMap<string, L3Interface>,
    readonly options: RouterOptions,
  ) {
    this.own = new AddressIndex(interfaces);
    this.runReceive = compileStages(options.receive);
    this.runStages = compileStages(options.stages);
    this.neighbors = new NeighborResolver(id, (sim, iface, packet, meta, nexthop) => {
      const reason = `next hop ${formatIpValue(nexthop)} did not answer on ${iface.port}`;
      sim.report(meta, { kind: 'outcome', outcome: { kind: 'unreachable', node: id, stage: typeof nexthop === 'number' ? 'arp' : 'nd', reason } });
      this.icmpError(sim, packet, meta, 'host', iface.port);
    });
  }

  /** The router's NAT (floating IPs, SNAT, dnat-mode load balancers), if it has one: read-only use. */
  get nat(): RouterNat | undefined {
    return this.options.nat;
  }

  receive(sim: Sim, port: string, frame: Frame, meta: FrameMeta): void {
    const iface = this.interfaces.get(port)!;
    let a = this.arrival;
    if (a) {
      a.sim = sim;
      a.meta = meta;
      a.port = port;
      a.iface = iface;
      a.frame = frame;
    } else a = this.arrival = { router: this, sim, meta, node: this.id, port, iface, neighbors: this.neighbors, frame };
    this.runReceive(a);
  }

  /** Routes a packet that arrived on `inPort` (or that the router itself originated, inPort null) through its stage table. */
  forward(sim: Sim, p: IpPacket, meta: FrameMeta, inPort: string | null): void {
    this.runStages({ router: this, sim, meta, inPort, packet: p, natLookup: undefined, selection: undefined, pre: undefined, route: undefined, out: undefined });
  }

  /** A VIP's connection refused (no healthy member): the refusal goes back, originated here. */
  refuse(sim: Sim, refusal: IpPacket, meta: FrameMeta): void {
    this.forward(sim, refusal, { probe: meta.probe, dir: 'reply' }, null);
  }

  traceNat(sim: Sim, before: IpPacket, t: Translation, meta: FrameMeta, port: string, stage: 'nat.snat' | 'nat.dnat'): IpPacket {
    if (sim.recording) sim.trace(this.id, port, stage, t.action ?? t.kind, t.packet, meta, { from: t.from, to: t.to, why: t.why, before: summarizePacket(before) });
    if (!t.complete) sim.report(meta, { kind: 'translated', entry: { node: this.id, kind: t.kind, from: t.from, to: t.to } });
    return t.packet;
  }

  aclAllows(sim: Sim, p: IpPacket, meta: FrameMeta, port: string, direction: 'ingress' | 'egress'): boolean {
    const acl = this.options.acls?.get(port);
    if (!acl) return true;
    const d = acl.evaluator.evaluate(fieldsOf(p), direction);
    const name = acl.evaluator.acl.name;
    const where = `network ACL ${name} of subnet ${acl.subnet} (${direction})`;
    if (d.action === 'allow') {
      sim.trace(this.id, port, 'acl', 'allow', p, meta, { acl: name, subnet: acl.subnet, direction, rule: d.rule!.text });
      return true;
    }
    const reason = d.rule ? `${where}: rule ${d.rule.text}` : `${where}: no rule matches, the implicit * deny applies`;
    sim.report(meta, { kind: 'blocked', outcome: { kind: 'dropped', node: this.id, stage: 'acl', reason } });
    const lifted = liftsBlocker(sim.explainAll, meta.dir);
    sim.trace(this.id, port, 'acl', lifted ? 'deny-lifted' : 'deny', p, meta, { acl: name, subnet: acl.subnet, direction, rule: d.rule ? d.rule.text : '* deny (no rule matched)' });
    return lifted;
  }

  /** A packet for one of the router's own addresses: answered like a host with no services. */
  local(sim: Sim, p: IpPacket, meta: FrameMeta, port: string): void {
    if (p.l4.proto === 'icmp' && p.l4.quoted) {
      sim.trace(this.id, port, 'host.receive', 'ignore', p, meta, { reason: 'ICMP error for the router itself' });
      return;
    }
    const d = respond(p, []);
    sim.trace(this.id, port, 'host.receive', d.kind, p, meta, { reason: d.reason });
    if (meta.dir === 'forward' && (d.kind === 'accept' || d.kind === 'refuse')) {
      sim.report(meta, { kind: 'observed', packet: p });
      sim.report(meta, { kind: 'outcome', outcome: { kind: d.kind === 'accept' ? 'delivered' : 'refused', node: this.id, stage: 'host.receive', reason: d.reason } });
    }
    if ((d.kind === 'accept' || d.kind === 'refuse') && d.reply) this.forward(sim, d.reply, { probe: meta.probe, dir: 'reply' }, null);
  }

  /** ICMP time exceeded / unreachable back to the packet's source (never about an ICMP error). */
  icmpError(sim: Sim, p: IpPacket, meta: FrameMeta, why: 'ttl' | 'net' | 'host', inPort: string | null): void {
    if (p.l4.proto === 'icmp' && p.l4.quoted) return;
    // From the address of the interface towards the sender (Linux's default for ICMP errors).
    const back = this.routes.lookup(p.src);
    const iface = (back && this.interfaces.get(back.port)) ?? (inPort !== null ? this.interfaces.get(inPort) : undefined);
    const src: IpValue | undefined = (iface && sourceFor(iface, p.src)) ?? [...this.interfaces.values()].map((i) => sourceFor(i, p.src)).find((a) => a !== undefined);
    if (src === undefined || (typeof src === 'number') !== (typeof p.src === 'number')) return;
    const v4 = p.version === 4;
    const type = why === 'ttl' ? (v4 ? ICMP.v4.timeExceeded : ICMP.v6.timeExceeded) : v4 ? ICMP.v4.unreachable : ICMP.v6.unreachable;
    const code = why === 'ttl' ? 0 : why === 'net' ? (v4 ? ICMP.v4.codes.net : ICMP.v6.codes.noRoute) : v4 ? ICMP.v4.codes.host : ICMP.v6.codes.address;
    const error: IpPacket = { kind: 'ip', version: p.version, src, dst: p.src, ttl: ICMP_TTL, l4: { proto: 'icmp', type, code, quoted: p } };
    const replyMeta: FrameMeta = { probe: meta.probe, dir: 'reply' };
    sim.trace(this.id, inPort, 'host.reply', 'icmp-error', error, replyMeta);
    this.forward(sim, error, replyMeta, null);
  }

  timer(sim: Sim, data: unknown): void {
    const t = data as NeighborTimer;
    if (t.kind === 'neighbor-retry') this.neighbors.onTimer(sim, this.interfaces.get(t.port)!, t);
  }
}

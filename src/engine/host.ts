/**
 * An end host: an instance or an external host. It routes what it sends (connected subnets,
 * the subnet's host routes, a default route via the gateway), resolves next hops, answers ARP
 * and ND for its addresses, and its stack answers as host-stack.ts says. It remembers the
 * flows it opened so that answers to its own probes are recognised as answers.
 */
import { ICMP, TCP_SYN, echoRequestType, type Frame, type IpPacket, type L4 } from '../packet/frame.js';
import { formatIpValue, type IpValue } from '../packet/ip-value.js';
import { FLOW_PROTO } from '../packet/flow.js';
import { FlowTable } from '../packet/flow-table.js';
import { RouteTable } from '../l3/route-table.js';
import type { Service } from '../topology/model.js';
import { respond } from '../l3/host-stack.js';
import { AddressIndex, sourceFor, type L3Interface } from '../l3/l3-interface.js';
import { NeighborResolver, type NeighborTimer } from '../l3/neighbors.js';
import { compileStages, type Pipeline, type StageRunner } from '../util/stages.js';
import type { HostArrival } from './host-stages.js';
import type { FrameMeta, Sim, SimNode } from './node-contract.js';
import type { PortFirewall } from '../firewall/port-firewall.js';
import { SharedDetails } from '../trace/shared-details.js';

export interface ProbeRequest {
  readonly dst: IpValue;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly port: number;
  /** Optional source address (a host with several addresses). */
  readonly src?: IpValue;
  /** Optional source port (TCP, UDP), as a program that binds one; else the next ephemeral port. */
  readonly sport?: number;
}

export class HostNode implements SimNode {
  readonly routes = new RouteTable();
  readonly neighbors: NeighborResolver;
  readonly own: AddressIndex;
  /**
   * Flows this host opened, in one flow table (no string per packet): TCP and UDP as the flow
   * of their answers with the local address left out (proto, remote ip, remote port, 0, local
   * port); echo requests by (id, seq) in the ports of an echo-request entry with no addresses,
   * as before: an ICMP error about the echo comes from a router, not from the address pinged.
   */
  private readonly sockets = new FlowTable<true>();
  private nextPort = 40000;
  private nextEchoId = 0;
  private nextEchoSeq = 0;
  /** The detail of a route taken, per route text and next hop (shared by every event that reads the same). */
  private readonly routeDetails = new SharedDetails<string, IpValue>();
  /** The one arrival the receive stages read, refilled per frame (see L3Arrival). */
  private arrival: HostArrival | undefined;
  /** The filters on this host's ports (an instance's, unless port security is off); none on external hosts. */
  private filters: Map<string, PortFirewall> | undefined;
  /** HOST_IN_PIPELINE as one function (compileStages). */
  private readonly runStages: StageRunner<HostArrival>;

  constructor(
    readonly id: string,
    readonly interfaces: ReadonlyMap<string, L3Interface>,
    readonly services: readonly Service[],
    /** The stages a frame arriving on an interface meets (src/engine/pipeline.ts's HOST_IN_PIPELINE). */
    readonly stages: Pipeline<HostArrival>,
  ) {
    this.own = new AddressIndex(interfaces);
    this.runStages = compileStages(stages);
    this.neighbors = new NeighborResolver(id, (sim, iface, packet, meta, nexthop) => {
      sim.report(meta, { kind: 'outcome', outcome: { kind: 'unreachable', node: id, stage: typeof nexthop === 'number' ? 'arp' : 'nd', reason: `${formatIpValue(nexthop)} did not answer ${typeof nexthop === 'number' ? 'ARP' : 'neighbour solicitation'} on ${iface.port} (EHOSTUNREACH)` } });
      void packet;
    }, (sim, port, frame, meta) => this.output(sim, port, frame, meta));
  }

  /** Puts the port's filter (port security, security groups: the firewall builds it) on one of this host's ports. */
  installFilter(port: string, fw: PortFirewall): void {
    (this.filters ??= new Map()).set(port, fw);
  }

  /**
   * Every frame the host sends leaves through here: its port's filter (PORT_OUT_PIPELINE:
   * port.security, sg.egress) first, then the wire — or, with no wire, nowhere.
   */
  private output(sim: Sim, port: string, frame: Frame, meta: FrameMeta): void {
    const fw = this.filters?.get(port);
    if (fw && !fw.egress(sim, this.id, port, frame, meta)) return;
    sim.transmit(this.id, port, frame, meta);
  }

  /** Originates a probe packet; the ephemeral port and echo id come from per-host counters. */
  sendProbe(sim: Sim, req: ProbeRequest, meta: FrameMeta): void {
    const version = typeof req.dst === 'number' ? 4 : 6;
    let l4: L4;
    if (req.proto === 'icmp') {
      // Like ping: one id per run of probes from this host, the sequence number counting up.
      const id = this.nextEchoId || (this.nextEchoId = 1);
      const seq = ++this.nextEchoSeq;
      l4 = { proto: 'icmp', type: echoRequestType(version), code: 0, id, seq };
      this.sockets.setParts(FLOW_PROTO.echoRequest, 0, id, 0, seq, true);
    } else {
      // Linux's ip_local_port_range (32768-60999), counting up and wrapping.
      let sport = req.sport;
      if (sport === undefined) sport = this.nextPort = this.nextPort >= 60999 ? 32768 : this.nextPort + 1;
      l4 = req.proto === 'tcp' ? { proto: 'tcp', sport, dport: req.port, flags: TCP_SYN } : { proto: 'udp', sport, dport: req.port };
      this.sockets.setParts(req.proto === 'tcp' ? FLOW_PROTO.tcp : FLOW_PROTO.udp, req.dst, req.port, 0, sport, true);
    }
    if (this.own.owner(req.dst)) {
      // Linux delivers it over the loopback device: no wire, no filters.
      const own: IpPacket = { kind: 'ip', version, src: req.src ?? req.dst, dst: req.dst, ttl: 64, l4 };
      const d = respond(own, this.services);
      const reason = `${d.reason} (over loopback: the destination is this host's own address)`;
      sim.trace(this.id, null, 'host.receive', d.kind, own, meta, { reason });
      sim.report(meta, { kind: 'observed', packet: own });
      sim.report(meta, { kind: 'outcome', outcome: { kind: d.kind === 'refuse' ? 'refused' : 'delivered', node: this.id, stage: 'host.receive', reason } });
      sim.report(meta, { kind: 'replied' });
      return;
    }
    const route = this.routes.lookup(req.dst);
    if (!route) {
      const draft = { kind: 'ip' as const, version, src: req.src ?? 0, dst: req.dst, ttl: 64, l4 } as IpPacket;
      sim.trace(this.id, null, 'host.route', 'no-route', draft, meta, { reason: 'no route to the destination (ENETUNREACH)' });
      sim.report(meta, { kind: 'outcome', outcome: { kind: 'unreachable', node: this.id, stage: 'host.route', reason: `${this.id} has no route to ${formatIpValue(req.dst)} (ENETUNREACH)` } });
      return;
    }
    const iface = this.interfaces.get(route.port)!;
    const src = req.src ?? sourceFor(iface, req.dst);
    if (src === undefined) {
      sim.report(meta, { kind: 'outcome', outcome: { kind: 'unreachable', node: this.id, stage: 'host.route', reason: `no IPv${version} address on ${route.port}` } });
      return;
    }
    const packet: IpPacket = { kind: 'ip', version, src, dst: req.dst, ttl: 64, l4 };
    sim.trace(this.id, route.port, 'host.send', 'send', packet, meta);
    this.route(sim, packet, meta, route.port, route.nexthop ?? req.dst, route.text);
  }

  private route(sim: Sim, packet: IpPacket, meta: FrameMeta, port: string, nexthop: IpValue, text: string): void {
    if (sim.recording) sim.trace(this.id, port, 'host.route', 'route', packet, meta, this.routeDetails.get(text, nexthop) ?? this.routeDetails.keep(text, nexthop, { route: text, nexthop: formatIpValue(nexthop) }));
    this.neighbors.send(sim, this.interfaces.get(port)!, nexthop, packet, meta);
  }

  /** Sends a packet this host's stack produced (a reply), routed like any other. */
  sendReply(sim: Sim, packet: IpPacket, meta: FrameMeta): void {
    const route = this.routes.lookup(packet.dst);
    if (!route) {
      sim.trace(this.id, null, 'host.route', 'no-route', packet, meta, { reason: 'no route back to the sender' });
      return;
    }
    this.route(sim, packet, meta, route.port, route.nexthop ?? packet.dst, route.text);
  }

  receive(sim: Sim, port: string, frame: Frame, meta: FrameMeta): void {
    const iface = this.interfaces.get(port)!;
    const fw = this.filters?.get(port);
    let a = this.arrival;
    if (a) {
      a.sim = sim;
      a.meta = meta;
      a.port = port;
      a.iface = iface;
      a.frame = frame;
      a.fw = fw;
      a.reply = undefined;
    } else a = this.arrival = { host: this, sim, meta, node: this.id, port, iface, neighbors: this.neighbors, frame, fw, reply: undefined };
    this.runStages(a);
  }

  /** Does this packet answer a flow we opened (including ICMP errors quoting our packets)? */
  isAnswer(p: IpPacket): boolean {
    const l4 = p.l4;
    if (l4.proto === 'icmp') {
      if (l4.quoted) return this.opened(l4.quoted);
      const replyType = p.version === 4 ? ICMP.v4.echoReply : ICMP.v6.echoReply;
      return l4.type === replyType && this.echoOpened(l4.id ?? 0, l4.seq ?? 0);
    }
    return this.sockets.find(l4.proto === 'tcp' ? FLOW_PROTO.tcp : FLOW_PROTO.udp, p.src, l4.sport, 0, l4.dport) === true;
  }

  private opened(q: IpPacket): boolean {
    const l4 = q.l4;
    if (l4.proto === 'icmp') return this.echoOpened(l4.id ?? 0, l4.seq ?? 0);
    return this.sockets.find(l4.proto === 'tcp' ? FLOW_PROTO.tcp : FLOW_PROTO.udp, q.dst, l4.dport, 0, l4.sport) === true;
  }

  private echoOpened(id: number, seq: number): boolean {
    return this.sockets.find(FLOW_PROTO.echoRequest, 0, id, 0, seq) === true;
  }

  timer(sim: Sim, data: unknown): void {
    const t = data as NeighborTimer;
    if (t.kind === 'neighbor-retry') this.neighbors.onTimer(sim, this.interfaces.get(t.port)!, t);
  }
}

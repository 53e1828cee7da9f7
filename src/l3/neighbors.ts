/**
 * Neighbour resolution for one node: ARP for IPv4 (RFC 826) and neighbour discovery for IPv6
 * (RFC 4861). A packet for an unresolved next hop waits while a request goes out; the request
 * is retried after 1 s, three times in all (Linux's mcast_solicit and retrans_time), then the
 * waiting packets fail and the node's failure handler decides (a router answers with ICMP
 * host unreachable). Answers to requests for the node's own addresses live here too.
 */
import { BROADCAST_MAC, formatMac, type Mac } from '../address/mac.js';
import { ICMP, type Frame, type IpPacket } from '../packet/frame.js';
import { formatIpValue, multicastMac, solicitedNode, type IpValue } from '../packet/ip-value.js';
import { ownsAddress, sourceFor, type L3Interface } from './l3-interface.js';
import type { FrameMeta, Sim } from '../engine/node-contract.js';
import { SharedDetails } from '../trace/shared-details.js';

export const RETRANSMIT_US = 1_000_000;
export const MAX_SOLICIT = 3;

interface Waiting {
  readonly packet: IpPacket;
  readonly meta: FrameMeta;
}

interface PendingResolution {
  readonly port: string;
  readonly waiting: Waiting[];
  attempts: number;
  timer?: number;
}

export interface NeighborTimer {
  readonly kind: 'neighbor-retry';
  readonly port: string;
  readonly ip: IpValue;
}

export type ResolutionFailure = (sim: Sim, iface: L3Interface, packet: IpPacket, meta: FrameMeta, nexthop: IpValue) => void;

/** Where the node's frames leave it: the wire (sim.transmit), or first the port's filter (an instance). */
export type FrameOutput = (sim: Sim, port: string, frame: Frame, meta: FrameMeta) => void;

export class NeighborResolver {
  /** Per interface: next hop → MAC. */
  readonly caches = new Map<string, Map<IpValue, Mac>>();
  private readonly pending = new Map<string, PendingResolution>();
  /** The detail of a cache hit, per next hop and MAC (shared by every hit that reads the same). */
  private readonly hitDetails = new SharedDetails<IpValue, Mac>();

  private readonly output: FrameOutput;

  constructor(private readonly nodeId: string, private readonly onFailure: ResolutionFailure, output?: FrameOutput) {
    this.output = output ?? ((sim, port, frame, meta) => sim.transmit(nodeId, port, frame, meta));
  }

  cacheOf(port: string): Map<IpValue, Mac> {
    let c = this.caches.get(port);
    if (!c) this.caches.set(port, (c = new Map()));
    return c;
  }

  /** Sends an IP packet to a next hop on an interface, resolving its MAC first if needed. */
  send(sim: Sim, iface: L3Interface, nexthop: IpValue, packet: IpPacket, meta: FrameMeta): void {
    if (iface.peerMac !== undefined) {
      this.output(sim, iface.port, { src: iface.mac, dst: iface.peerMac, payload: packet }, meta);
      return;
    }
    const mac = this.cacheOf(iface.port).get(nexthop);
    const stage = typeof nexthop === 'number' ? 'arp' : 'nd';
    if (mac !== undefined) {
      if (sim.recording) sim.trace(this.nodeId, iface.port, stage, 'cache-hit', packet, meta, this.hitDetails.get(nexthop, mac) ?? this.hitDetails.keep(nexthop, mac, { nexthop: formatIpValue(nexthop), mac: formatMac(mac) }));
      this.output(sim, iface.port, { src: iface.mac, dst: mac, payload: packet }, meta);
      return;
    }
    const key = `${iface.port}|${String(nexthop)}`;
    const pending = this.pending.get(key);
    if (pending) {
      pending.waiting.push({ packet, meta });
      sim.trace(this.nodeId, iface.port, stage, 'queued', packet, meta, { nexthop: formatIpValue(nexthop), reason: 'resolution in progress' });
      return;
    }
    this.pending.set(key, { port: iface.port, waiting: [{ packet, meta }], attempts: 0 });
    sim.trace(this.nodeId, iface.port, stage, 'cache-miss', packet, meta, { nexthop: formatIpValue(nexthop), held: 'until the neighbour answers' });
    this.solicit(sim, iface, nexthop, meta);
  }

  private solicit(sim: Sim, iface: L3Interface, target: IpValue, cause: FrameMeta): void {
    const pending = this.pending.get(`${iface.port}|${String(target)}`)!;
    pending.attempts++;
    const meta: FrameMeta = { probe: cause.probe, dir: 'control' };
    const src = sourceFor(iface, target);
    if (src === undefined) return;
    let frame: Frame;
    if (typeof target === 'number') {
      frame = { src: iface.mac, dst: BROADCAST_MAC, payload: { kind: 'arp', op: 'request', senderMac: iface.mac, senderIp: src as number, targetMac: 0, targetIp: target } };
    } else {
      const group = solicitedNode(target);
      frame = { src: iface.mac, dst: multicastMac(group), payload: { kind: 'ip', version: 6, src, dst: group, ttl: 255, l4: { proto: 'icmp', type: ICMP.v6.ns, code: 0, target, lladdr: iface.mac } } };
    }
    sim.trace(this.nodeId, iface.port, typeof target === 'number' ? 'arp' : 'nd', 'request', frame, meta, { attempt: pending.attempts });
    this.output(sim, iface.port, frame, meta);
    const timer: NeighborTimer = { kind: 'neighbor-retry', port: iface.port, ip: target };
    pending.timer = sim.setTimer(this.nodeId, RETRANSMIT_US, timer, cause.probe);
  }

  /** A retry timer fired: ask again, or give up and fail the waiting packets. */
  onTimer(sim: Sim, iface: L3Interface, timer: NeighborTimer): void {
    const key = `${timer.port}|${String(timer.ip)}`;
    const pending = this.pending.get(key);
    if (!pending) return;
    if (pending.attempts < MAX_SOLICIT) {
      this.solicit(sim, iface, timer.ip, pending.waiting[0]!.meta);
      return;
    }
    this.pending.delete(key);
    for (const w of pending.waiting) {
      sim.trace(this.nodeId, iface.port, typeof timer.ip === 'number' ? 'arp' : 'nd', 'failed', w.packet, w.meta, { nexthop: formatIpValue(timer.ip), reason: `no answer after ${MAX_SOLICIT} requests` });
      this.onFailure(sim, iface, w.packet, w.meta, timer.ip);
    }
  }

  /** ARP: a request for one of the interface's addresses is answered, a reply learnt. False: not ARP. */
  handleArp(sim: Sim, iface: L3Interface, frame: Frame, meta: FrameMeta): boolean {
    const p = frame.payload;
    if (p.kind === 'arp') {
      if (p.op === 'request') {
        if (!ownsAddress(iface, p.targetIp) && !iface.proxyArp?.has(p.targetIp)) {
          sim.trace(this.nodeId, iface.port, 'arp', 'ignore', frame, meta, { reason: 'not our address' });
          return true;
        }
        this.learn(sim, iface, p.senderIp, p.senderMac, meta);
        const reply: Frame = { src: iface.mac, dst: p.senderMac, payload: { kind: 'arp', op: 'reply', senderMac: iface.mac, senderIp: p.targetIp, targetMac: p.senderMac, targetIp: p.senderIp } };
        sim.trace(this.nodeId, iface.port, 'arp', 'reply', reply, meta);
        this.output(sim, iface.port, reply, meta);
      } else {
        if (sim.recording) sim.trace(this.nodeId, iface.port, 'arp', 'learn', frame, meta, { ip: formatIpValue(p.senderIp), mac: formatMac(p.senderMac) });
        this.learn(sim, iface, p.senderIp, p.senderMac, meta);
      }
      return true;
    }
    return false;
  }

  /** ND: a neighbour solicitation for one of the interface's addresses is answered, an advertisement learnt. False: not ND. */
  handleNd(sim: Sim, iface: L3Interface, frame: Frame, meta: FrameMeta): boolean {
    const p = frame.payload;
    if (p.kind !== 'ip') return false;
    const l4 = p.l4;
    if (p.version !== 6 || l4.proto !== 'icmp' || (l4.type !== ICMP.v6.ns && l4.type !== ICMP.v6.na)) return false;
    const target = l4.target ?? 0n;
    if (l4.type === ICMP.v6.ns) {
      if (!ownsAddress(iface, target)) {
        sim.trace(this.nodeId, iface.port, 'nd', 'ignore', frame, meta, { reason: 'not our address' });
        return true;
      }
      if (l4.lladdr !== undefined) this.learn(sim, iface, p.src, l4.lladdr, meta);
      const na: Frame = { src: iface.mac, dst: frame.src, payload: { kind: 'ip', version: 6, src: target, dst: p.src, ttl: 255, l4: { proto: 'icmp', type: ICMP.v6.na, code: 0, target, lladdr: iface.mac } } };
      sim.trace(this.nodeId, iface.port, 'nd', 'reply', na, meta);
      this.output(sim, iface.port, na, meta);
    } else {
      if (sim.recording) sim.trace(this.nodeId, iface.port, 'nd', 'learn', frame, meta, { ip: formatIpValue(target), mac: formatMac(l4.lladdr ?? frame.src) });
      this.learn(sim, iface, target, l4.lladdr ?? frame.src, meta);
    }
    return true;
  }

  private learn(sim: Sim, iface: L3Interface, ip: IpValue, mac: Mac, _meta: FrameMeta): void {
    this.cacheOf(iface.port).set(ip, mac);
    const key = `${iface.port}|${String(ip)}`;
    const pending = this.pending.get(key);
    if (!pending) return;
    this.pending.delete(key);
    if (pending.timer !== undefined) sim.cancelTimer(pending.timer);
    for (const w of pending.waiting) {
      if (sim.recording) sim.trace(this.nodeId, iface.port, typeof ip === 'number' ? 'arp' : 'nd', 'release', w.packet, w.meta, { nexthop: formatIpValue(ip), mac: formatMac(mac) });
      this.output(sim, iface.port, { src: iface.mac, dst: mac, payload: w.packet }, w.meta);
    }
  }
}

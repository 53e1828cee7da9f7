/**
 * The first stages of every L3 node's input (hosts, routers): neighbour protocols are answered
 * (`arp`, RFC 826; `nd`, RFC 4861), then only IP frames sent to the interface's MAC (or to a
 * group address) go on — Linux drops unicast frames for another MAC (PACKET_OTHERHOST) whatever
 * their IP says. Each stage returns NEXT (its explicit default) or stops with a reason.
 */
import { formatMac, isMulticastMac } from '../address/mac.js';
import type { Frame, IpPacket } from '../packet/frame.js';
import type { FrameMeta, Sim } from '../engine/node-contract.js';
import { NEXT, stop, type StageDecision } from '../util/stages.js';
import type { L3Interface } from './l3-interface.js';
import type { NeighborResolver } from './neighbors.js';

/**
 * A frame arriving at an L3 node's interface: what the receive stages read. Each node keeps one
 * and refills it per frame (receive stages only queue frames and never re-enter their node's
 * receive), as the switch does its SwitchHop.
 */
export interface L3Arrival {
  sim: Sim;
  meta: FrameMeta;
  /** The node's id, for its trace events. */
  readonly node: string;
  iface: L3Interface;
  readonly neighbors: NeighborResolver;
  frame: Frame;
}

const ARP_TAKEN = stop('ARP: answered, learnt or ignored by the neighbour table');
const ND_TAKEN = stop('neighbour discovery: answered, learnt or ignored by the neighbour table');
const OTHER_HOST = stop('a unicast frame for another MAC: ignored (PACKET_OTHERHOST)');

/** arp: requests for the interface's addresses are answered, replies learnt. Default: not ARP — next. */
export function resolveArp(h: L3Arrival): StageDecision {
  return h.neighbors.handleArp(h.sim, h.iface, h.frame, h.meta) ? ARP_TAKEN : NEXT;
}

/** nd: solicitations for the interface's addresses are answered, advertisements learnt. Default: not ND — next. */
export function resolveNd(h: L3Arrival): StageDecision {
  return h.neighbors.handleNd(h.sim, h.iface, h.frame, h.meta) ? ND_TAKEN : NEXT;
}

/**
 * The IP packet of a frame for this interface's MAC or a group address, or a stop for a
 * unicast frame for another MAC (traced as `ignore` at `stage`). Runs after arp and nd, so
 * the payload is IP.
 */
export function acceptForInterface(h: L3Arrival, stage: 'host.receive' | 'router.receive'): IpPacket | StageDecision {
  const { frame, iface, sim } = h;
  if (frame.dst !== iface.mac && !isMulticastMac(frame.dst)) {
    sim.trace(h.node, iface.port, stage, 'ignore', frame, h.meta, { reason: `frame for ${formatMac(frame.dst)}, not this interface` });
    return OTHER_HOST;
  }
  return frame.payload as IpPacket;
}

/**
 * The port filter's stages, one function each, in the order src/engine/pipeline.ts lists them
 * (PORT_OUT_PIPELINE: port security, then the groups' egress; PORT_IN_PIPELINE: the groups'
 * ingress), as Neutron's OVS firewall applies them; the instance's host runs them (host.out's
 * last stages, host.in's first). Each returns NEXT — its explicit default, and what a
 * frame that may go on gets — or stops a dropped frame with a reason; a table whose stages
 * all said NEXT passes the frame (PortFirewall.egress/ingress).
 */
import { formatMac, isMulticastMac } from '../address/mac.js';
import type { Frame, IpPacket } from '../packet/frame.js';
import type { FrameMeta, Sim } from '../engine/node-contract.js';
import { NEXT, stop, type StageDecision } from '../util/stages.js';
import { liftsBlocker } from '../trace/verdict-reducer.js';
import type { PortFirewall } from './port-firewall.js';
import { spoofingReason } from './port-security.js';

/**
 * One frame's way through a port's filter: what each stage reads. The filter keeps one and
 * refills it per frame (its stages never re-enter the same filter): see SwitchHop.
 */
export interface PortHop {
  readonly fw: PortFirewall;
  sim: Sim;
  /** The node that owns the port (the instance). */
  node: string;
  port: string;
  frame: Frame;
  meta: FrameMeta;
}

const SPOOFED = stop('port security: the frame\'s source is not the port\'s');
const DROPPED = stop('no security group rule allows it (or conntrack: invalid)');
const NOT_THIS_PORT = stop('a flooded copy of a frame for another MAC: not this port\'s');

/**
 * ICMPv6 that passes a port without a rule, as neutron.agent.firewall's
 * ICMPV6_ALLOWED_INGRESS_TYPES / _EGRESS_TYPES say: MLD queries and neighbour solicitations and
 * advertisements both ways, router solicitations out. A router advertisement leaving an
 * instance is what a rogue router sends, so it needs a rule.
 */
const ICMPV6_WITHOUT_RULE = { ingress: new Set([130, 135, 136]), egress: new Set([130, 133, 135, 136]) } as const;

const passesWithoutRule = (p: IpPacket, direction: 'ingress' | 'egress'): boolean =>
  p.version === 6 && p.l4.proto === 'icmp' && ICMPV6_WITHOUT_RULE[direction].has(p.l4.type);

/** port.security: a frame whose source MAC or address is not the port's is dropped (or lifted under --explain all). Default: legitimate — next. */
export function checkPortSecurity(h: PortHop): StageDecision {
  const { sim, node, port, frame, meta } = h;
  const spoof = spoofingReason(h.fw.config.identity, frame);
  if (spoof === undefined) return NEXT;
  sim.report(meta, { kind: 'blocked', outcome: { kind: 'dropped', node, stage: 'port.security', reason: `port security on ${port}: ${spoof}` } });
  const lifted = liftsBlocker(sim.explainAll, meta.dir);
  sim.trace(node, port, 'port.security', lifted ? 'drop-lifted' : 'drop', frame, meta, { reason: spoof });
  return lifted ? NEXT : SPOOFED;
}

/** sg.egress: conntrack, then the groups' egress rules. Default: ARP and the ICMPv6 Neutron lets out without a rule — next. */
export function filterEgress(h: PortHop): StageDecision {
  const p = h.frame.payload;
  if (p.kind === 'arp' || passesWithoutRule(p, 'egress')) return NEXT;
  return h.fw.filter(h.sim, h.node, h.port, p, 'egress', h.meta) ? NEXT : DROPPED;
}

/**
 * sg.ingress: conntrack, then the groups' ingress rules. A flooded copy of a unicast frame for
 * another MAC never enters the port's pipeline (the OVS firewall matches on the port's MAC):
 * the host would ignore it anyway, so it is no blocker. Default: ARP and the ICMPv6 Neutron
 * lets in without a rule — next.
 */
export function filterIngress(h: PortHop): StageDecision {
  const { sim, node, port, frame, meta } = h;
  const identity = h.fw.config.identity;
  if (!isMulticastMac(frame.dst) && frame.dst !== identity.mac && !identity.pairs.some((p) => p.mac === frame.dst)) {
    sim.trace(node, port, 'host.receive', 'ignore', frame, meta, { reason: `frame for ${formatMac(frame.dst)}, not this port` });
    return NOT_THIS_PORT;
  }
  const p = frame.payload;
  if (p.kind === 'arp' || passesWithoutRule(p, 'ingress')) return NEXT;
  return h.fw.filter(sim, node, port, p, 'ingress', meta) ? NEXT : DROPPED;
}

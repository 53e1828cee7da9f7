/**
 * A host's receive stages after arp and nd (l3/receive-stages.ts), in the order
 * src/engine/pipeline.ts's HOST_IN_PIPELINE lists them: the stack takes a packet for one of its
 * addresses (an answer to a flow it opened, or what host-stack.ts's respond decides), then
 * sends the stack's reply. Each returns NEXT (its explicit default) or stops with a reason.
 */
import { formatIpValue } from '../packet/ip-value.js';
import type { IpPacket } from '../packet/frame.js';
import { respond } from '../l3/host-stack.js';
import { acceptForInterface, type L3Arrival } from '../l3/receive-stages.js';
import { NEXT, stop, type StageDecision } from '../util/stages.js';
import type { HostNode } from './host.js';
import type { FrameMeta } from './node-contract.js';
import type { PortFirewall } from '../firewall/port-firewall.js';

/** A frame arriving at one of a host's interfaces; host.receive leaves the stack's reply for host.reply. */
export interface HostArrival extends L3Arrival {
  readonly host: HostNode;
  port: string;
  /** The port's filter (an instance port with port security), which sg.ingress runs. */
  fw: PortFirewall | undefined;
  reply: IpPacket | undefined;
}

const ANSWER_DETAIL = Object.freeze({ reason: 'answer to a flow this host opened' });
const FILTERED = stop('the port\'s filter dropped it (or it was for another MAC)');
const NOT_MINE = stop('not an address of this host: a host does not forward');
const ANSWER = stop('an answer to a flow this host opened');
const NO_REPLY = stop('taken by the stack, nothing to send back');
const REPLIED = stop('the stack\'s reply sent');

/**
 * sg.ingress: the port's filter (PORT_IN_PIPELINE, firewall/port-stages.ts) before anything
 * else, as Neutron's OVS firewall sits between the port and the VM. Default: no filter on the
 * port (an external host, port security off) — next.
 */
export function filterArrival(h: HostArrival): StageDecision {
  const fw = h.fw;
  if (!fw) return NEXT;
  return fw.ingress(h.sim, h.node, h.port, h.frame, h.meta) ? NEXT : FILTERED;
}

/** host.receive: the stack takes a packet for one of the host's addresses. Next when it has a reply to send. */
export function receiveForHost(h: HostArrival): StageDecision {
  const p = acceptForInterface(h, 'host.receive');
  if ('next' in p) return p;
  const { sim, host, port, frame, meta } = h;
  if (!host.own.owner(p.dst)) {
    sim.trace(host.id, port, 'host.receive', 'ignore', frame, meta, { reason: `${formatIpValue(p.dst)} is not an address of this host (it does not forward)` });
    return NOT_MINE;
  }
  if (host.isAnswer(p)) {
    sim.trace(host.id, port, 'host.receive', 'answer', frame, meta, ANSWER_DETAIL);
    sim.report(meta, { kind: 'replied' });
    return ANSWER;
  }
  const decision = respond(p, host.services);
  if (decision.kind === 'ignore' || decision.kind === 'answer') {
    sim.trace(host.id, port, 'host.receive', decision.kind === 'answer' ? 'answer' : 'ignore', frame, meta, { reason: decision.reason });
    return NO_REPLY;
  }
  sim.trace(host.id, port, 'host.receive', decision.kind, frame, meta, { reason: decision.reason });
  if (meta.dir === 'forward') {
    sim.report(meta, { kind: 'observed', packet: p });
    sim.report(meta, { kind: 'outcome', outcome: { kind: decision.kind === 'accept' ? 'delivered' : 'refused', node: host.id, stage: 'host.receive', reason: decision.reason } });
  }
  if (!decision.reply) return NO_REPLY;
  h.reply = decision.reply;
  return NEXT;
}

/** host.reply: the stack's reply (a SYN-ACK, RST, echo reply, port unreachable) is routed back. Default: none — next. */
export function sendStackReply(h: HostArrival): StageDecision {
  const reply = h.reply;
  if (!reply) return NEXT;
  const replyMeta: FrameMeta = { probe: h.meta.probe, dir: 'reply' };
  h.sim.trace(h.host.id, h.port, 'host.reply', 'send', reply, replyMeta);
  h.host.sendReply(h.sim, reply, replyMeta);
  return REPLIED;
}

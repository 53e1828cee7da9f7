/**
 * The load balancer node's stages (its VIP port), one function each, in the order
 * src/engine/pipeline.ts's LB_PIPELINE lists them: ARP/ND for the VIP, an IP packet for the
 * VIP only, answers to health checks, ICMP answered as a host, a member's reply to a proxied
 * connection sent back to its client, then a client's connection: lb.select (lb/select.ts,
 * the stage the router runs too) and DNAT to the member with SNAT to the VIP. Each returns NEXT
 * (its explicit default) or stops with a reason.
 */
import type { IpPacket } from '../packet/frame.js';
import { formatIpValue } from '../packet/ip-value.js';
import { Flow } from '../packet/flow.js';
import { ownsAddress } from '../l3/l3-interface.js';
import { respond } from '../l3/host-stack.js';
import type { L3Arrival } from '../l3/receive-stages.js';
import { NEXT, stop, type StageDecision } from '../util/stages.js';
import { selectMember, traceSelection } from './select.js';
import type { LbNode, ProxyEntry } from './lb-node.js';

/** A frame arriving at the VIP port: what each stage reads and what it leaves for the next. */
export interface LbArrival extends L3Arrival {
  readonly lb: LbNode;
  port: string;
  /** The IP packet for the VIP, once host.receive has accepted the frame. */
  packet: IpPacket | undefined;
  /** The client connection lb.select found or made, for nat.dnat; `fresh` when made now. */
  entry: ProxyEntry | undefined;
  fresh: boolean;
}

const NOT_FOR_VIP = stop('not an IP packet for the VIP: ignored');
const HEALTH_ANSWER = stop('an answer to a health check: counted');
const ICMP_TAKEN = stop('ICMP to the VIP: answered (or ignored) as a host');
const BACK_TO_CLIENT = stop('a member\'s reply: translated back and sent to the client');
const NO_LISTENER = stop('no listener on the port: refused');
const REFUSED = stop('no healthy member: refused');
const TO_MEMBER = stop('DNAT to the member and SNAT to the VIP: sent');

/** host.receive: only an IP packet for the VIP, sent to the VIP's MAC, goes on (the rest is ignored without a trace). */
export function acceptForVip(h: L3Arrival & Pick<LbArrival, 'packet'>): StageDecision {
  const p = h.frame.payload;
  if (p.kind !== 'ip' || !ownsAddress(h.iface, p.dst) || h.frame.dst !== h.iface.mac) return NOT_FOR_VIP;
  h.packet = p;
  return NEXT;
}

/** lb.health: a SYN-ACK, RST, echo reply or ICMP error answering a pending check counts for its member. Default: not one — next. */
export function countHealthAnswer(h: LbArrival): StageDecision {
  return h.lb.healthAnswer(h.sim, h.packet!) ? HEALTH_ANSWER : NEXT;
}

/** host.receive: ICMP to the VIP is answered as a host with no services answers it (an echo reply). Default: not ICMP — next. */
export function answerIcmp(h: LbArrival): StageDecision {
  const { sim, meta, port } = h;
  const p = h.packet!;
  if (p.l4.proto !== 'icmp') return NEXT;
  const d = respond(p, []);
  if ((d.kind === 'accept' || d.kind === 'refuse') && d.reply) {
    sim.trace(h.node, port, 'host.receive', d.kind, p, meta, { reason: d.reason });
    if (meta.dir === 'forward') {
      sim.report(meta, { kind: 'observed', packet: p });
      sim.report(meta, { kind: 'outcome', outcome: { kind: 'delivered', node: h.node, stage: 'host.receive', reason: d.reason } });
    }
    h.lb.send(sim, d.reply, { probe: meta.probe, dir: 'reply' });
  }
  return ICMP_TAKEN;
}

/** nat.dnat: a member's reply on a proxied connection goes back to its client from the VIP. Default: not one — next. */
export function returnToClient(h: LbArrival): StageDecision {
  const p = h.packet!;
  const l4 = p.l4;
  if (l4.proto === 'icmp') return NEXT;
  const back = h.lb.proxied.getReverse(Flow.of(p));
  if (!back) return NEXT;
  const vip = h.lb.balancer.vip;
  const out: IpPacket = { ...p, src: vip, dst: back.client, l4: { ...l4, sport: back.vipPort, dport: back.clientPort } };
  if (h.sim.recording) h.sim.trace(h.node, h.port, 'nat.dnat', 'reverse', out, h.meta, { from: `${formatIpValue(p.src)}:${l4.sport}`, to: `${formatIpValue(vip)}:${back.vipPort}`, why: 'reply from the member, back to the client' });
  h.lb.send(h.sim, out, h.meta);
  return BACK_TO_CLIENT;
}

/**
 * lb.select: a client's connection keeps the member it has; a new one gets a member
 * (lb/select.ts, as on a router), or is refused — no listener on the port, or no healthy
 * member — with a RST or ICMP port unreachable. Default: a member for the connection — next.
 */
export function selectForClient(h: LbArrival): StageDecision {
  const { sim, meta, port, lb } = h;
  const p = h.packet!;
  const l4 = p.l4;
  if (l4.proto === 'icmp') return NEXT;
  const flow = Flow.of(p);
  const known = lb.byClient.get(flow);
  if (known) {
    h.entry = known;
    h.fresh = false;
    return NEXT;
  }
  const selection = selectMember(lb.balancer, l4.proto, l4.dport, flow);
  if (selection.kind === 'none') {
    const d = respond(p, []);
    sim.trace(h.node, port, 'lb.select', 'no-listener', p, meta, { reason: `no listener on ${l4.proto}/${l4.dport}` });
    if (meta.dir === 'forward') sim.report(meta, { kind: 'outcome', outcome: { kind: 'refused', node: h.node, stage: 'lb.select', reason: `load balancer ${lb.balancer.lb.name} has no listener on ${l4.proto}/${l4.dport}` } });
    if (d.kind === 'refuse') lb.send(sim, d.reply, { probe: meta.probe, dir: 'reply' });
    return NO_LISTENER;
  }
  const refusal = traceSelection(sim, h.node, port, p, meta, selection, h.node);
  if (selection.kind !== 'select') {
    if (refusal) lb.send(sim, refusal, { probe: meta.probe, dir: 'reply' });
    return REFUSED;
  }
  h.entry = lb.track(flow, p.src, l4.sport, l4.dport, selection.member);
  h.fresh = true;
  return NEXT;
}

/** nat.dnat: the client's packet goes to its member, from the VIP (DNAT plus SNAT). Default: no connection — next. */
export function proxyToMember(h: LbArrival): StageDecision {
  const p = h.packet!;
  const l4 = p.l4;
  const entry = h.entry;
  if (!entry || l4.proto === 'icmp') return NEXT;
  const { sim, meta, lb } = h;
  const out: IpPacket = { ...p, src: lb.balancer.vip, dst: entry.member.address, l4: { ...l4, sport: entry.lbPort, dport: entry.member.member.protocolPort } };
  const from = `${formatIpValue(p.src)}:${l4.sport} → ${formatIpValue(p.dst)}:${l4.dport}`;
  const to = `${formatIpValue(out.src)}:${entry.lbPort} → ${formatIpValue(out.dst)}:${entry.member.member.protocolPort}`;
  const why = lb.balancer.lb.mode === 'proxy' ? 'proxy mode: the load balancer connects to the member from the VIP' : 'client on the VIP\'s subnet: DNAT to the member and SNAT to the VIP (hairpin SNAT)';
  sim.trace(h.node, h.port, 'nat.dnat', 'dnat', out, meta, { from, to, why });
  if (h.fresh) sim.report(meta, { kind: 'translated', entry: { node: h.node, kind: 'dnat', from, to } });
  lb.send(sim, out, meta);
  return TO_MEMBER;
}

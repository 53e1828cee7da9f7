/**
 * The switch's stages, one function each, in the order src/engine/pipeline.ts lists them:
 * learn the source MAC, answer ARP itself (arp_responder, as OVN's logical switches do),
 * forward known unicast out of the one port it was learnt on, flood the rest — never back
 * out of the ingress port. Each returns NEXT (its explicit default) or stops with a reason.
 */
import { formatMac, isMulticastMac } from '../address/mac.js';
import type { Frame } from '../packet/frame.js';
import { formatIpValue } from '../packet/ip-value.js';
import { NEXT, stop, type StageDecision } from '../util/stages.js';
import type { SwitchHop } from './switch.js';

const ANSWERED = stop('ARP request answered by arp_responder');
const FILTERED = stop('destination is on the ingress port: filtered');
const FORWARDED = stop('forwarded out of the port the destination was learnt on');
const FLOODED = stop('flooded out of every other port');

/** switch.learn: a unicast source MAC is learnt (or moved, or refreshed) on the ingress port. Default: multicast source — next. */
export function learnSource(h: SwitchHop): StageDecision {
  const { sw, sim, frame, port } = h;
  if (isMulticastMac(frame.src)) return NEXT;
  const { result, from } = sw.table.learn(frame.src, port, sim.now);
  if (result !== 'refreshed') sim.trace(sw.id, port, 'switch.learn', result, frame, h.meta, { mac: formatMac(frame.src), port, ...(from ? { from } : {}) });
  return NEXT;
}

/** arp: an ARP request for an address the switch knows is answered out of the ingress port. Default: not one — next. */
export function answerArp(h: SwitchHop): StageDecision {
  const { sw, sim, frame, port } = h;
  const p = frame.payload;
  if (p.kind !== 'arp' || p.op !== 'request') return NEXT;
  const mac = sw.arpResponder.get(p.targetIp);
  if (mac === undefined) return NEXT;
  const reply: Frame = { src: mac, dst: p.senderMac, payload: { kind: 'arp', op: 'reply', senderMac: mac, senderIp: p.targetIp, targetMac: p.senderMac, targetIp: p.senderIp } };
  sim.trace(sw.id, port, 'arp', 'proxy-reply', reply, h.meta, { reason: `arp_responder knows ${formatIpValue(p.targetIp)}` });
  sim.transmit(sw.id, port, reply, h.meta);
  return ANSWERED;
}

/** switch.forward: known unicast goes out of the port it was learnt on (or nowhere, if that is the ingress port). Default: unknown or multicast — next. */
export function forwardKnown(h: SwitchHop): StageDecision {
  const { sw, sim, frame, port } = h;
  if (isMulticastMac(frame.dst)) return NEXT;
  const out = sw.table.lookup(frame.dst, sim.now);
  if (out === undefined) return NEXT;
  if (out === port) {
    sim.trace(sw.id, port, 'switch.forward', 'filter', frame, h.meta, { reason: 'destination is on the ingress port' });
    return FILTERED;
  }
  if (sim.recording) sim.trace(sw.id, out, 'switch.forward', 'forward', frame, h.meta, sw.forwardDetail(frame.dst, out));
  sim.transmit(sw.id, out, frame, h.meta);
  return FORWARDED;
}

/** switch.flood: broadcast, multicast and unknown unicast go out of every port but the ingress one, in attachment order. */
export function flood(h: SwitchHop): StageDecision {
  const { sw, sim, frame, port } = h;
  if (sim.recording) {
    const why = frame.dst === 0xffffffffffff ? 'broadcast' : isMulticastMac(frame.dst) ? 'multicast' : 'unknown unicast';
    sim.trace(sw.id, port, 'switch.flood', 'flood', frame, h.meta, { reason: why, out: sw.ports.filter((p2) => p2 !== port) });
  }
  for (const o of sw.ports) if (o !== port) sim.transmit(sw.id, o, frame, h.meta);
  return FLOODED;
}

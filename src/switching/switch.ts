/**
 * A network's switch: learns each frame's source MAC on its ingress port, forwards known
 * unicast out of the one port it was learnt on, floods broadcast, multicast and unknown
 * unicast out of every other port — never back out of the ingress port. With
 * `arp_responder` it answers ARP requests for known ports itself, as OVN's logical switches do.
 */
import { formatMac, isMulticastMac, type Mac } from '../address/mac.js';
import type { Frame } from '../packet/frame.js';
import { formatIpValue } from '../packet/ip-value.js';
import type { FrameMeta, Sim, SimNode } from '../engine/node-contract.js';
import { MacTable } from './mac-table.js';
import { SharedDetails } from '../trace/shared-details.js';

export class SwitchNode implements SimNode {
  readonly table = new MacTable();
  /** The detail of a forward, per destination MAC and port out (shared by every frame that reads the same). */
  private readonly forwardDetails = new SharedDetails<Mac, string>();

  constructor(
    readonly id: string,
    /** Port ids in attachment order (flooding goes out in this order). */
    readonly ports: readonly string[],
    /** IPv4 address → MAC of ports this switch may answer ARP for (empty when off). */
    readonly arpResponder: ReadonlyMap<number, Mac> = new Map(),
  ) {}

  receive(sim: Sim, port: string, frame: Frame, meta: FrameMeta): void {
    if (!isMulticastMac(frame.src)) {
      const { result, from } = this.table.learn(frame.src, port, sim.now);
      if (sim.recording && result !== 'refreshed') sim.trace(this.id, port, 'switch.learn', result, frame, meta, { mac: formatMac(frame.src), port, ...(from ? { from } : {}) });
    }
    const p = frame.payload;
    if (p.kind === 'arp' && p.op === 'request') {
      const mac = this.arpResponder.get(p.targetIp);
      if (mac !== undefined) {
        const reply: Frame = { src: mac, dst: p.senderMac, payload: { kind: 'arp', op: 'reply', senderMac: mac, senderIp: p.targetIp, targetMac: p.senderMac, targetIp: p.senderIp } };
        if (sim.recording) sim.trace(this.id, port, 'arp', 'proxy-reply', reply, meta, { reason: `arp_responder knows ${formatIpValue(p.targetIp)}` });
        sim.transmit(this.id, port, reply, meta);
        return;
      }
    }
    if (!isMulticastMac(frame.dst)) {
      const out = this.table.lookup(frame.dst, sim.now);
      if (out === port) {
        if (sim.recording) sim.trace(this.id, port, 'switch.forward', 'filter', frame, meta, { reason: 'destination is on the ingress port' });
        return;
      }
      if (out !== undefined) {
        if (sim.recording) sim.trace(this.id, out, 'switch.forward', 'forward', frame, meta, this.forwardDetails.get(frame.dst, out) ?? this.forwardDetails.keep(frame.dst, out, { mac: formatMac(frame.dst), out }));
        sim.transmit(this.id, out, frame, meta);
        return;
      }
    }
    if (sim.recording) {
      const why = frame.dst === 0xffffffffffff ? 'broadcast' : isMulticastMac(frame.dst) ? 'multicast' : 'unknown unicast';
      sim.trace(this.id, port, 'switch.flood', 'flood', frame, meta, { reason: why, out: this.ports.filter((p2) => p2 !== port) });
    }
    for (const o of this.ports) if (o !== port) sim.transmit(this.id, o, frame, meta);
  }
}

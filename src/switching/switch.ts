/**
 * A network's switch: learns each frame's source MAC on its ingress port, forwards known
 * unicast out of the one port it was learnt on, floods broadcast, multicast and unknown
 * unicast out of every other port — never back out of the ingress port. With
 * `arp_responder` it answers ARP requests for known ports itself, as OVN's logical switches do.
 * The stages are switch-stages.ts, run in the order of src/engine/pipeline.ts's SWITCH_PIPELINE.
 */
import { formatMac, type Mac } from '../address/mac.js';
import type { Frame } from '../packet/frame.js';
import type { FrameMeta, Sim, SimNode } from '../engine/node-contract.js';
import { compileStages, type Pipeline, type StageRunner } from '../util/stages.js';
import { MacTable } from './mac-table.js';
import { SharedDetails, type Detail } from '../trace/shared-details.js';

/**
 * One frame's way through a switch: what each stage reads. The switch keeps one and refills it
 * per frame (a stage only queues frames, so a run never re-enters its own switch): an object
 * per frame was a measurable share of a hop's cost.
 */
export interface SwitchHop {
  readonly sw: SwitchNode;
  sim: Sim;
  meta: FrameMeta;
  /** The ingress port. */
  port: string;
  frame: Frame;
}

export class SwitchNode implements SimNode {
  readonly table = new MacTable();
  /** The detail of a forward, per destination MAC and port out (shared by every frame that reads the same). */
  private readonly forwardDetails = new SharedDetails<Mac, string>();
  private hop: SwitchHop | undefined;
  /** SWITCH_PIPELINE as one function (compileStages). */
  private readonly runStages: StageRunner<SwitchHop>;

  constructor(
    readonly id: string,
    /** Port ids in attachment order (flooding goes out in this order). */
    readonly ports: readonly string[],
    /** The stages a frame meets, in order (src/engine/pipeline.ts's SWITCH_PIPELINE). */
    readonly stages: Pipeline<SwitchHop>,
    /** IPv4 address → MAC of ports this switch may answer ARP for (empty when off). */
    readonly arpResponder: ReadonlyMap<number, Mac> = new Map(),
  ) {
    this.runStages = compileStages(stages);
  }

  receive(sim: Sim, port: string, frame: Frame, meta: FrameMeta): void {
    let hop = this.hop;
    if (hop) {
      hop.sim = sim;
      hop.meta = meta;
      hop.port = port;
      hop.frame = frame;
    } else hop = this.hop = { sw: this, sim, meta, port, frame };
    this.runStages(hop);
  }

  /** The detail of a forward to `mac` out of `out`. */
  forwardDetail(mac: Mac, out: string): Detail {
    return this.forwardDetails.get(mac, out) ?? this.forwardDetails.keep(mac, out, { mac: formatMac(mac), out });
  }
}

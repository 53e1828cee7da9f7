/**
 * The contract between the simulator and the nodes it drives. A node receives frames on its
 * ports and timers it set; it acts only through the Sim it is handed (send a frame, set a
 * timer, record a trace event, report an outcome), so every node is a deterministic function
 * of its state and the events it is given.
 */
import type { Frame, IpPacket } from '../packet/frame.js';
import type { Stage } from './pipeline.js';
import type { Direction } from '../trace/events.js';

/** What travels with a frame besides its headers: the probe that caused it and its direction. */
export interface FrameMeta {
  readonly probe: number;
  readonly dir: Direction;
}

export type OutcomeKind = 'delivered' | 'refused' | 'dropped' | 'unreachable' | 'expired';

export interface Outcome {
  readonly kind: OutcomeKind;
  readonly node: string;
  readonly stage: Stage;
  readonly reason: string;
}

export interface Sim {
  /** Virtual time, µs. */
  readonly now: number;
  /** True when trace events are being recorded (stages skip building details otherwise). */
  readonly recording: boolean;
  /** Put a frame on the wire at a port; it arrives at the other end after the link latency. */
  transmit(from: string, port: string, frame: Frame, meta: FrameMeta): void;
  /**
   * Call node.timer(data) after `delay` µs. A timer of background work (probe 0: health
   * checks) does not keep a probe's run going; the simulator stops when only such work is left.
   */
  setTimer(node: string, delay: number, data: unknown, probe: number): number;
  /** Cancels a timer that has not fired (an answered ARP request's retry): it costs no time. */
  cancelTimer(id: number): void;
  trace(node: string, port: string | null, stage: Stage, action: string, what: Frame | IpPacket | string, meta: FrameMeta, detail?: Record<string, unknown>): void;
  /** The first decisive outcome of a probe wins; later ones are kept as context only. */
  outcome(meta: FrameMeta, outcome: Outcome): void;
  /**
   * A filter (port security, security group, network ACL) would drop the packet. Records the
   * blocker and its outcome; returns true when the packet should go on anyway because the
   * simulator explains every blocker on the path (`--explain all`), false to drop it.
   */
  blocked(meta: FrameMeta, outcome: Outcome): boolean;
  /** A load balancer chose a member for the probe (the verdict's `lb`). */
  balanced(meta: FrameMeta, choice: { node: string; member: string; algorithm: string }): void;
  /** A router translated the probe's packet (recorded in the verdict's `nat` list). */
  translated(meta: FrameMeta, entry: { node: string; kind: 'snat' | 'dnat' | 'fip'; from: string; to: string }): void;
  /** The probe's sender got an answer back; `observed` is what the destination saw. */
  replied(meta: FrameMeta): void;
  observed(meta: FrameMeta, packet: IpPacket): void;
  /** A deterministic pseudo-random integer in [0, n). */
  random(n: number): number;
}

export interface SimNode {
  readonly id: string;
  receive(sim: Sim, port: string, frame: Frame, meta: FrameMeta): void;
  timer?(sim: Sim, data: unknown): void;
}

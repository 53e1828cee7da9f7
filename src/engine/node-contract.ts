/**
 * The contract between the simulator and the nodes it drives. A node receives frames on its
 * ports and timers it set; it acts only through the Sim it is handed (send a frame, set a
 * timer, record a trace event, report a fact for the verdict), so every node is a deterministic function
 * of its state and the events it is given.
 */
import type { Frame, IpPacket } from '../packet/frame.js';
import type { Stage } from './pipeline.js';
import type { Direction } from '../trace/events.js';
import type { VerdictFact } from '../trace/verdict-reducer.js';

/** What travels with a frame besides its headers: the probe that caused it and its direction. */
export interface FrameMeta {
  readonly probe: number;
  readonly dir: Direction;
}

export type { Outcome } from '../trace/verdict-reducer.js';

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
  /**
   * Records a trace event; does nothing when not recording, so a stage calls it unguarded
   * unless building its detail costs (then `if (sim.recording)` spares the work).
   */
  trace(node: string, port: string | null, stage: Stage, action: string, what: Frame | IpPacket | string, meta: FrameMeta, detail?: Record<string, unknown>): void;
  /** Reports a fact about the probe whose packet this is; the verdict is their reduction (trace/verdict-reducer.ts). */
  report(meta: FrameMeta, fact: VerdictFact): void;
  /** Every blocker on the path is explained (`--explain all`): see liftsBlocker. */
  readonly explainAll: boolean;
}

export interface SimNode {
  readonly id: string;
  receive(sim: Sim, port: string, frame: Frame, meta: FrameMeta): void;
  timer?(sim: Sim, data: unknown): void;
}

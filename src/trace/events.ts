/**
 * Trace events: one per stage a packet passes (docs/trace-json.md). One discriminated shape for all:
 * where (node, port), when (virtual µs, seq), what (stage, action), the packet's one-line
 * summary, and a detail object that is specific to the stage (the matched route, the learned
 * MAC, headers before and after a rewrite). The JSON form is this object as it is.
 */
import type { Stage } from '../engine/pipeline.js';

/** Which way a frame is going relative to the probe that caused it. */
export type Direction = 'forward' | 'reply' | 'control';

export interface TraceEvent {
  readonly seq: number;
  /** The probe this event belongs to (0: background work such as health checks). */
  readonly probe: number;
  /** Virtual time in microseconds since the simulation started. */
  readonly t: number;
  /** Graph node id: `instance:web-1`, `network:app`, `router:edge`, `internet`, `host:client`. */
  readonly node: string;
  /** Port id where the stage happened (`web-1/eth0`), or null inside a node. */
  readonly port: string | null;
  readonly stage: Stage;
  readonly action: string;
  readonly packet: string;
  readonly direction: Direction;
  readonly detail: Readonly<Record<string, unknown>>;
}

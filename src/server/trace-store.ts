/**
 * The server's memory of recent probes, for `GET /api/trace/<probe>.pcap` and `.json`: each
 * probe's info, verdict, events and captured frames (bytes, never frame objects). Bounded by a
 * count of probes and by an estimate of the bytes they hold; the oldest go first, the newest
 * always stays (one probe is bounded by the simulator's event bound). A reset or reload forgets
 * everything, since probe ids restart at 1 then.
 */
import type { CapturedFrame } from '../engine/capture.js';
import type { TraceEvent } from '../trace/events.js';
import { writePcap } from '../trace/pcap.js';
import type { ProbeInfo, VerdictBody } from './protocol.js';

export interface TraceStoreLimits {
  /** Probes kept (default 64). */
  readonly probes: number;
  /** Estimated bytes kept over all probes (default 32 MiB). */
  readonly bytes: number;
}

export const TRACE_STORE_DEFAULTS: TraceStoreLimits = { probes: 64, bytes: 32 * 1024 * 1024 };

/**
 * What an event or a captured frame holds besides a frame's bytes, roughly: measured with
 * --expose-gc over 3,000 three-tier probes, ~320 bytes of heap per event and ~460 per captured
 * frame of 60-90 bytes (a small Uint8Array has its own backing store).
 */
export const TRACE_COST = { event: 384, frame: 400 } as const;

interface StoredTrace {
  readonly probe: ProbeInfo;
  readonly verdict: VerdictBody;
  readonly events: readonly TraceEvent[];
  readonly frames: readonly CapturedFrame[];
  readonly cost: number;
}

export class TraceStore {
  private readonly traces = new Map<number, StoredTrace>();
  private cost = 0;

  constructor(private readonly limits: TraceStoreLimits = TRACE_STORE_DEFAULTS) {}

  add(probe: ProbeInfo, verdict: VerdictBody, events: readonly TraceEvent[], frames: readonly CapturedFrame[]): void {
    let cost = events.length * TRACE_COST.event;
    for (const f of frames) cost += TRACE_COST.frame + f.bytes.length;
    this.remove(probe.id);
    this.traces.set(probe.id, { probe, verdict, events, frames, cost });
    this.cost += cost;
    while (this.traces.size > 1 && (this.traces.size > this.limits.probes || this.cost > this.limits.bytes)) this.remove(this.traces.keys().next().value!);
  }

  /** The probe's frames as a pcap file, or undefined when it is unknown or expired. */
  pcap(id: number): Uint8Array | undefined {
    const t = this.traces.get(id);
    return t && writePcap(t.frames);
  }

  /** `{ probe, events, verdict }` as JSON text, or undefined when it is unknown or expired. */
  json(id: number): string | undefined {
    const t = this.traces.get(id);
    return t && JSON.stringify({ probe: t.probe, events: t.events, verdict: t.verdict });
  }

  /** How many probes are kept at most. */
  get limit(): number {
    return this.limits.probes;
  }

  /** The ids kept, oldest first. */
  ids(): number[] {
    return [...this.traces.keys()];
  }

  clear(): void {
    this.traces.clear();
    this.cost = 0;
  }

  private remove(id: number): void {
    const t = this.traces.get(id);
    if (!t) return;
    this.traces.delete(id);
    this.cost -= t.cost;
  }
}

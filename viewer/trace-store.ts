/**
 * What the page holds of the stream: every probe's events in seq order and its verdict, plus
 * background events (probe 0: health checks). Bounded: past MAX_EVENTS the oldest probes go,
 * so a long session does not grow the tab without end. Cleared on every hello.
 */
import type { TraceEvent, VerdictMessage } from './types.js';

export const MAX_EVENTS = 50_000;

export interface ProbeRecord {
  readonly id: number;
  readonly events: TraceEvent[];
  verdict: VerdictMessage | undefined;
}

export class TraceStore {
  private readonly probes = new Map<number, ProbeRecord>();
  private total = 0;

  clear(): void {
    this.probes.clear();
    this.total = 0;
  }

  private record(id: number): ProbeRecord {
    let r = this.probes.get(id);
    if (!r) this.probes.set(id, (r = { id, events: [], verdict: undefined }));
    return r;
  }

  addEvent(e: TraceEvent): void {
    this.record(e.probe).events.push(e);
    if (++this.total > MAX_EVENTS) this.evict();
  }

  addVerdict(v: VerdictMessage): ProbeRecord {
    const r = this.record(v.probe.id);
    r.verdict = v;
    return r;
  }

  private evict(): void {
    for (const [id, r] of this.probes) {
      if (this.total <= MAX_EVENTS * 0.9) break;
      this.total -= r.events.length;
      this.probes.delete(id);
    }
  }

  get(id: number): ProbeRecord | undefined {
    return this.probes.get(id);
  }

  /** Probes with a verdict, oldest first. */
  finished(): ProbeRecord[] {
    return [...this.probes.values()].filter((r) => r.verdict !== undefined);
  }

  /** Every event held, in seq order. */
  events(): TraceEvent[] {
    return [...this.probes.values()].flatMap((r) => r.events).sort((a, b) => a.seq - b.seq);
  }

  verdictOf(probe: number): VerdictMessage | undefined {
    return this.probes.get(probe)?.verdict;
  }
}

/**
 * Event details that recur unchanged — the same route and next hop, the same rule, the same
 * MAC out of the same port — built once and shared by every event that carries them. Events
 * are read-only, so sharing is invisible in the trace; it matters because recorded events live
 * until their reader drains them, and steady traffic would otherwise keep one copy per hop.
 * Keyed by two values; bounded (cleared when full) since some keys come from traffic.
 */
export type Detail = Readonly<Record<string, unknown>>;

const MAX_ENTRIES = 4096;

export class SharedDetails<A, B> {
  /** Made on first use: every node has one, most never record. */
  private byFirst: Map<A, Map<B, Detail>> | undefined;
  private count = 0;

  get(a: A, b: B): Detail | undefined {
    return this.byFirst?.get(a)?.get(b);
  }

  /** Keeps `detail` for (a, b) and returns it. */
  keep(a: A, b: B, detail: Detail): Detail {
    if (!this.byFirst || this.count >= MAX_ENTRIES) {
      this.byFirst = new Map();
      this.count = 0;
    }
    let byB = this.byFirst.get(a);
    if (!byB) this.byFirst.set(a, (byB = new Map()));
    if (!byB.has(b)) this.count++;
    byB.set(b, detail);
    return detail;
  }
}

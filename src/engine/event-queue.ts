/**
 * The simulator's agenda: a binary min-heap ordered by virtual time, ties broken by insertion
 * order, so events at the same instant always run in the order they were scheduled (the
 * determinism the trace contract needs).
 */
export interface Scheduled<T> {
  readonly t: number;
  readonly order: number;
  readonly item: T;
}

export class EventQueue<T> {
  private readonly heap: Scheduled<T>[] = [];
  private nextOrder = 0;

  get size(): number {
    return this.heap.length;
  }

  push(t: number, item: T): void {
    const e = { t, order: this.nextOrder++, item };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  pop(): Scheduled<T> | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }

  peekTime(): number | undefined {
    return this.heap[0]?.t;
  }

  clear(): void {
    this.heap.length = 0;
  }
}

const before = <T>(a: Scheduled<T>, b: Scheduled<T>): boolean => a.t < b.t || (a.t === b.t && a.order < b.order);

/**
 * The simulator's agenda: a binary min-heap ordered by virtual time, ties broken by insertion
 * order, so events at the same instant always run in the order they were scheduled (the
 * determinism the trace contract needs). Time, order and item sit in three parallel arrays,
 * so scheduling an event allocates nothing besides the item itself.
 */
export class EventQueue<T> {
  private readonly times: number[] = [];
  private readonly orders: number[] = [];
  private readonly items: T[] = [];
  private nextOrder = 0;
  /** The virtual time of the item `pop` returned last. */
  poppedTime = 0;

  get size(): number {
    return this.items.length;
  }

  push(t: number, item: T): void {
    const times = this.times;
    const orders = this.orders;
    const items = this.items;
    const order = this.nextOrder++;
    let i = items.length;
    times.push(t);
    orders.push(order);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < t || (pt === t && orders[parent]! < order)) break;
      times[i] = pt;
      orders[i] = orders[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    times[i] = t;
    orders[i] = order;
    items[i] = item;
  }

  /** The earliest item (its time in `poppedTime`), or undefined when the queue is empty. */
  pop(): T | undefined {
    const times = this.times;
    const orders = this.orders;
    const items = this.items;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0]!;
    this.poppedTime = times[0]!;
    const t = times.pop()!;
    const order = orders.pop()!;
    const last = items.pop()!;
    const size = n - 1;
    if (size === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      const c = r < size && (times[r]! < times[l]! || (times[r] === times[l] && orders[r]! < orders[l]!)) ? r : l;
      const ct = times[c]!;
      if (ct > t || (ct === t && orders[c]! > order)) break;
      times[i] = ct;
      orders[i] = orders[c]!;
      items[i] = items[c]!;
      i = c;
    }
    times[i] = t;
    orders[i] = order;
    items[i] = last;
    return top;
  }

  peekTime(): number | undefined {
    return this.items.length > 0 ? this.times[0] : undefined;
  }

  clear(): void {
    this.times.length = 0;
    this.orders.length = 0;
    this.items.length = 0;
  }
}

/**
 * A table keyed by a flow's 5-tuple without building a string per packet: one Map level for
 * the ports and protocol packed into a number, then the source and the destination address
 * (numbers for IPv4, bigints for IPv6, both compared by value). Conntrack looks every packet
 * up twice (its direction and the reply's), so this is on the hot path.
 */
import type { IpValue } from '../packet/ip-value.js';

export interface FlowTuple {
  /** 1 = ICMP echo (ports are its id), 6 = TCP, 17 = UDP. */
  readonly proto: number;
  readonly src: IpValue;
  readonly sport: number;
  readonly dst: IpValue;
  readonly dport: number;
}

const portsKey = (t: FlowTuple): number => (t.proto * 65536 + t.sport) * 65536 + t.dport;

export class FlowTable<T> {
  private readonly byPorts = new Map<number, Map<IpValue, Map<IpValue, T>>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(t: FlowTuple): T | undefined {
    return this.byPorts.get(portsKey(t))?.get(t.src)?.get(t.dst);
  }

  set(t: FlowTuple, value: T): void {
    const k = portsKey(t);
    let bySrc = this.byPorts.get(k);
    if (!bySrc) this.byPorts.set(k, (bySrc = new Map()));
    let byDst = bySrc.get(t.src);
    if (!byDst) bySrc.set(t.src, (byDst = new Map()));
    if (!byDst.has(t.dst)) this.count++;
    byDst.set(t.dst, value);
  }

  delete(t: FlowTuple): void {
    const k = portsKey(t);
    const bySrc = this.byPorts.get(k);
    const byDst = bySrc?.get(t.src);
    if (!byDst?.delete(t.dst)) return;
    this.count--;
    if (byDst.size === 0) bySrc!.delete(t.src);
    if (bySrc!.size === 0) this.byPorts.delete(k);
  }

  /** Removes every value the predicate selects. */
  deleteWhere(drop: (value: T) => boolean): void {
    for (const [k, bySrc] of this.byPorts) {
      for (const [src, byDst] of bySrc) {
        for (const [dst, v] of byDst) if (drop(v)) { byDst.delete(dst); this.count--; }
        if (byDst.size === 0) bySrc.delete(src);
      }
      if (bySrc.size === 0) this.byPorts.delete(k);
    }
  }

  *values(): IterableIterator<T> {
    for (const bySrc of this.byPorts.values()) for (const byDst of bySrc.values()) yield* byDst.values();
  }
}

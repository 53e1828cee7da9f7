/**
 * A table keyed by a flow's 5-tuple without building a string or any object per packet.
 * IPv4 tuples (the common case) live in an open-addressing hash over typed arrays: a lookup
 * hashes five numbers and compares them in place, and a new flow costs no Map of its own.
 * IPv6 tuples (bigint addresses) go through nested Maps keyed by ports, then source, then
 * destination. Conntrack looks every packet up twice (its direction and the reply's), so
 * this is on the hot path. Iteration follows insertion order (IPv4 flows, then IPv6). Used by
 * conntrack, NAT, host sockets and the load balancer, so it lives beside Flow, below them all.
 */
import type { IpValue } from './ip-value.js';
import { reverseFlowProto, type Flow } from './flow.js';

/** The fields of a flow the table keys on (a Flow, or anything shaped like one); any protocol tag of 1..255 works. */
export type FlowKey = Pick<Flow, 'proto' | 'src' | 'sport' | 'dst' | 'dport'>;

/** Words per IPv4 entry in `keys`: source, destination, ports (sport << 16 | dport), protocol (0 = deleted). */
const W = 4;
const MIN_CAPACITY = 16;
const EMPTY = new Int32Array(0);

const portsKey = (proto: number, sport: number, dport: number): number => (proto * 65536 + sport) * 65536 + dport;
const isCompact = (proto: number, src: IpValue, sport: number, dst: IpValue, dport: number): boolean =>
  typeof src === 'number' && typeof dst === 'number' && sport >>> 16 === 0 && dport >>> 16 === 0 && proto > 0 && proto < 256;

function hash(proto: number, src: number, ports: number, dst: number): number {
  let h = Math.imul(src ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ dst, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ ports, 0x27d4eb2f);
  h ^= proto;
  return h ^ (h >>> 16);
}

export class FlowTable<T> {
  /** IPv4 entries, dense in insertion order: W words of key each, and the value. Allocated on first use (a cloud has a table per port). */
  private keys = EMPTY;
  private vals: (T | undefined)[] = [];
  /** Dense slots used, live or deleted. */
  private used = 0;
  /** Hash index over the dense slots: slot + 1, 0 for empty; twice the dense capacity. */
  private index = EMPTY;
  private v4count = 0;
  /** Made on first use, like the arrays. */
  private v6: Map<number, Map<IpValue, Map<IpValue, T>>> | undefined;
  private v6count = 0;

  get size(): number {
    return this.v4count + this.v6count;
  }

  get(t: FlowKey): T | undefined {
    return this.find(t.proto, t.src, t.sport, t.dst, t.dport);
  }

  /** The value stored for the reverse of `t` (the flow its replies carry), without building it. */
  getReverse(t: FlowKey): T | undefined {
    return this.find(reverseFlowProto(t.proto), t.dst, t.dport, t.src, t.sport);
  }

  /** The value of the flow given by its parts (no tuple object needed). */
  find(proto: number, src: IpValue, sport: number, dst: IpValue, dport: number): T | undefined {
    if (!isCompact(proto, src, sport, dst, dport)) return this.v6?.get(portsKey(proto, sport, dport))?.get(src)?.get(dst);
    const slot = this.slotOf(proto, (src as number) | 0, (sport << 16) | dport, (dst as number) | 0);
    return slot < 0 ? undefined : this.vals[slot];
  }

  set(t: FlowKey, value: T): void {
    this.setParts(t.proto, t.src, t.sport, t.dst, t.dport, value);
  }

  /** set() with the tuple given by its parts. */
  setParts(proto: number, src: IpValue, sport: number, dst: IpValue, dport: number, value: T): void {
    if (!isCompact(proto, src, sport, dst, dport)) {
      const k = portsKey(proto, sport, dport);
      const v6 = (this.v6 ??= new Map());
      let bySrc = v6.get(k);
      if (!bySrc) v6.set(k, (bySrc = new Map()));
      let byDst = bySrc.get(src);
      if (!byDst) bySrc.set(src, (byDst = new Map()));
      if (!byDst.has(dst)) this.v6count++;
      byDst.set(dst, value);
      return;
    }
    const s = (src as number) | 0;
    const d = (dst as number) | 0;
    const ports = (sport << 16) | dport;
    const slot = this.slotOf(proto, s, ports, d);
    if (slot >= 0) {
      this.vals[slot] = value;
      return;
    }
    if (this.used * W === this.keys.length) this.resize();
    const at = this.used++;
    const base = at * W;
    this.keys[base] = s;
    this.keys[base + 1] = d;
    this.keys[base + 2] = ports;
    this.keys[base + 3] = proto;
    this.vals[at] = value;
    this.v4count++;
    const mask = this.index.length - 1;
    let i = hash(proto, s, ports, d) & mask;
    while (this.index[i] !== 0) i = (i + 1) & mask;
    this.index[i] = at + 1;
  }

  delete(t: FlowKey): void {
    const { proto, src, sport, dst, dport } = t;
    if (!isCompact(proto, src, sport, dst, dport)) {
      const k = portsKey(proto, sport, dport);
      const bySrc = this.v6?.get(k);
      const byDst = bySrc?.get(src);
      if (!byDst?.delete(dst)) return;
      this.v6count--;
      if (byDst.size === 0) bySrc!.delete(src);
      if (bySrc!.size === 0) this.v6!.delete(k);
      return;
    }
    const slot = this.slotOf(proto, (src as number) | 0, (sport << 16) | dport, (dst as number) | 0);
    if (slot >= 0) this.kill(slot);
  }

  /** Removes every value the predicate selects. */
  deleteWhere(drop: (value: T) => boolean): void {
    for (let slot = 0; slot < this.used; slot++) {
      const v = this.vals[slot];
      if (v !== undefined && this.keys[slot * W + 3] !== 0 && drop(v)) this.kill(slot);
    }
    const v6 = this.v6;
    if (!v6) return;
    for (const [k, bySrc] of v6) {
      for (const [src, byDst] of bySrc) {
        for (const [dst, v] of byDst) if (drop(v)) { byDst.delete(dst); this.v6count--; }
        if (byDst.size === 0) bySrc.delete(src);
      }
      if (bySrc.size === 0) v6.delete(k);
    }
  }

  *values(): IterableIterator<T> {
    for (let slot = 0; slot < this.used; slot++) {
      const v = this.vals[slot];
      if (v !== undefined && this.keys[slot * W + 3] !== 0) yield v;
    }
    if (this.v6) for (const bySrc of this.v6.values()) for (const byDst of bySrc.values()) yield* byDst.values();
  }

  /** The dense slot holding the key, or -1. A deleted slot keeps its place in the index (protocol 0 never matches). */
  private slotOf(proto: number, src: number, ports: number, dst: number): number {
    if (this.used === 0) return -1;
    const keys = this.keys;
    const index = this.index;
    const mask = index.length - 1;
    for (let i = hash(proto, src, ports, dst) & mask; ; i = (i + 1) & mask) {
      const e = index[i]!;
      if (e === 0) return -1;
      const base = (e - 1) * W;
      if (keys[base] === src && keys[base + 1] === dst && keys[base + 2] === ports && keys[base + 3] === proto) return e - 1;
    }
  }

  private kill(slot: number): void {
    this.keys[slot * W + 3] = 0;
    this.vals[slot] = undefined;
    this.v4count--;
  }

  /** The dense array is full: drop deleted slots, and double when more than half are live. */
  private resize(): void {
    const capacity = this.keys.length / W;
    const next = capacity === 0 ? MIN_CAPACITY : this.v4count * 2 > capacity ? capacity * 2 : capacity;
    const keys = new Int32Array(next * W);
    const vals: (T | undefined)[] = [];
    let n = 0;
    const old = this.keys;
    for (let slot = 0; slot < this.used; slot++) {
      const from = slot * W;
      if (old[from + 3] === 0) continue;
      const to = n * W;
      keys[to] = old[from]!;
      keys[to + 1] = old[from + 1]!;
      keys[to + 2] = old[from + 2]!;
      keys[to + 3] = old[from + 3]!;
      vals[n++] = this.vals[slot];
    }
    this.keys = keys;
    this.vals = vals;
    this.used = n;
    this.index = new Int32Array(next * 2);
    const mask = this.index.length - 1;
    for (let slot = 0; slot < n; slot++) {
      const b = slot * W;
      let i = hash(keys[b + 3]!, keys[b]!, keys[b + 2]!, keys[b + 1]!) & mask;
      while (this.index[i] !== 0) i = (i + 1) & mask;
      this.index[i] = slot + 1;
    }
  }
}

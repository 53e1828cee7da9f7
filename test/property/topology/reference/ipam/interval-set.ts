/**
 * A set of bigints kept as sorted, disjoint, non-adjacent closed intervals, so that an IPv4 /8
 * or an IPv6 /64 allocation pool costs memory per interval, never per address (pools
 * are interval sets, never enumerated). Invariant: for every i, lo[i] <= hi[i] and
 * hi[i] + 1 < lo[i + 1]. This is the shape of Neutron's netaddr.IPSet, minus the CIDR blocks.
 */

export interface Interval {
  readonly lo: bigint;
  readonly hi: bigint;
}

/** Once this many dead slots sit before `head`, and they are over half the arrays, compact. */
const COMPACT_MIN = 64;

export class IntervalSet {
  // Parallel arrays instead of interval objects: the hot path (lowest-first allocation) only
  // bumps los[head], and intervals() can hand out fresh objects without aliasing our state.
  private los: bigint[] = [];
  private his: bigint[] = [];
  // Intervals before `head` are dead. Removing the whole first interval only advances `head`,
  // which keeps lowest-first allocation O(1) amortised instead of an O(n) shift per interval.
  private head = 0;
  private total = 0n;

  static of(ranges: readonly Interval[]): IntervalSet {
    const set = new IntervalSet();
    for (const r of ranges) set.add(r.lo, r.hi);
    return set;
  }

  /** Adds every integer in [lo, hi], merging with overlapping or adjacent intervals. */
  add(lo: bigint, hi: bigint): void {
    checkRange(lo, hi);
    // a: first interval that touches [lo, hi] from the left (hi[a] >= lo - 1);
    // b: last interval that touches it from the right (lo[b] <= hi + 1).
    const a = this.firstHiAtLeast(lo - 1n);
    const b = this.lastLoAtMost(hi + 1n);
    if (a > b) {
      // Touches nothing: a fresh interval at position a. Reuse a dead slot when inserting at the
      // front, so that release of the lowest address after lowest-first allocation is O(1).
      if (a === this.head && this.head > 0) {
        this.head--;
        this.los[this.head] = lo;
        this.his[this.head] = hi;
      } else {
        this.los.splice(a, 0, lo);
        this.his.splice(a, 0, hi);
      }
      this.total += hi - lo + 1n;
      return;
    }
    const newLo = lo < this.at(this.los, a) ? lo : this.at(this.los, a);
    const newHi = hi > this.at(this.his, b) ? hi : this.at(this.his, b);
    for (let i = a; i <= b; i++) this.total -= this.at(this.his, i) - this.at(this.los, i) + 1n;
    this.total += newHi - newLo + 1n;
    this.los[a] = newLo;
    this.his[a] = newHi;
    if (b > a) {
      this.los.splice(a + 1, b - a);
      this.his.splice(a + 1, b - a);
    }
  }

  /** Removes every integer in [lo, hi]; members outside the range are untouched. */
  remove(lo: bigint, hi: bigint): void {
    checkRange(lo, hi);
    const a = this.firstHiAtLeast(lo);
    const b = this.lastLoAtMost(hi);
    if (a > b) return;
    const firstLo = this.at(this.los, a);
    const lastHi = this.at(this.his, b);
    for (let i = a; i <= b; i++) this.total -= this.at(this.his, i) - this.at(this.los, i) + 1n;
    const keepLeft = firstLo < lo;
    const keepRight = lastHi > hi;
    if (keepLeft) this.total += lo - firstLo;
    if (keepRight) this.total += lastHi - hi;

    if (keepLeft && keepRight && a === b) {
      // Punching a hole in one interval: the only case that grows the arrays.
      this.his[a] = lo - 1n;
      this.los.splice(a + 1, 0, hi + 1n);
      this.his.splice(a + 1, 0, lastHi);
      return;
    }
    // Pieces that survive: [firstLo, lo-1] in slot a, [hi+1, lastHi] in slot b; drop the rest.
    let from = a;
    let to = b;
    if (keepLeft) {
      this.his[a] = lo - 1n;
      from = a + 1;
    }
    if (keepRight) {
      this.los[b] = hi + 1n;
      to = b - 1;
    }
    this.drop(from, to);
  }

  has(x: bigint): boolean {
    const i = this.lastLoAtMost(x);
    return i >= this.head && this.at(this.his, i) >= x;
  }

  first(): bigint | undefined {
    return this.head < this.los.length ? this.los[this.head] : undefined;
  }

  /**
   * Removes and returns the lowest member (lowest-first allocation): remove(first, first)
   * without its searches and bigint arithmetic, which were most of allocating 100,000 ports.
   */
  shift(): bigint | undefined {
    if (this.head >= this.los.length) return undefined;
    const x = this.los[this.head]!;
    if (x === this.his[this.head]) this.drop(this.head, this.head);
    else this.los[this.head] = x + 1n;
    this.total -= 1n;
    return x;
  }

  last(): bigint | undefined {
    return this.head < this.his.length ? this.his[this.his.length - 1] : undefined;
  }

  /** Number of members (not of intervals); kept as a running total so it is O(1). */
  size(): bigint {
    return this.total;
  }

  isEmpty(): boolean {
    return this.head >= this.los.length;
  }

  /** Number of intervals, the unit this structure's memory is proportional to. */
  intervalCount(): number {
    return this.los.length - this.head;
  }

  /** The n lowest members in ascending order (Neutron's allocation window). O(intervals + n). */
  firstN(n: number): bigint[] {
    const out: bigint[] = [];
    for (let i = this.head; i < this.los.length && out.length < n; i++) {
      const hi = this.at(this.his, i);
      for (let x = this.at(this.los, i); x <= hi && out.length < n; x++) out.push(x);
    }
    return out;
  }

  intervals(): readonly Interval[] {
    const out: Interval[] = [];
    for (let i = this.head; i < this.los.length; i++) out.push({ lo: this.at(this.los, i), hi: this.at(this.his, i) });
    return out;
  }

  clone(): IntervalSet {
    const copy = new IntervalSet();
    copy.los = this.los.slice(this.head);
    copy.his = this.his.slice(this.head);
    copy.total = this.total;
    return copy;
  }

  equals(other: IntervalSet): boolean {
    if (this.intervalCount() !== other.intervalCount()) return false;
    for (let i = 0; i < this.intervalCount(); i++) {
      if (this.los[this.head + i] !== other.los[other.head + i]) return false;
      if (this.his[this.head + i] !== other.his[other.head + i]) return false;
    }
    return true;
  }

  /** Removes live intervals from..to (inclusive; nothing when from > to). */
  private drop(from: number, to: number): void {
    if (from > to) return;
    if (from === this.head) {
      this.head = to + 1;
      this.compact();
    } else {
      this.los.splice(from, to - from + 1);
      this.his.splice(from, to - from + 1);
    }
  }

  private compact(): void {
    if (this.head === this.los.length) {
      this.los = [];
      this.his = [];
      this.head = 0;
    } else if (this.head >= COMPACT_MIN && this.head * 2 >= this.los.length) {
      this.los = this.los.slice(this.head);
      this.his = this.his.slice(this.head);
      this.head = 0;
    }
  }

  /** Index of the first live interval whose hi >= x; los.length when none. */
  private firstHiAtLeast(x: bigint): number {
    let lo = this.head;
    let hi = this.his.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(this.his, mid) >= x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Index of the last live interval whose lo <= x; head - 1 when none. */
  private lastLoAtMost(x: bigint): number {
    let lo = this.head;
    let hi = this.los.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(this.los, mid) <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  // noUncheckedIndexedAccess: indices here are always in range by construction.
  private at(arr: bigint[], i: number): bigint {
    return arr[i] as bigint;
  }
}

function checkRange(lo: bigint, hi: bigint): void {
  if (typeof lo !== 'bigint' || typeof hi !== 'bigint') throw new TypeError('IntervalSet bounds must be bigints');
  if (lo > hi) throw new RangeError(`IntervalSet range is reversed: ${lo} > ${hi}`);
}

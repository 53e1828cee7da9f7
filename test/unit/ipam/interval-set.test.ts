import { describe, expect, it } from 'vitest';
import { IntervalSet } from '../../../src/ipam/interval-set.js';

const iv = (set: IntervalSet): [bigint, bigint][] => set.intervals().map((r) => [r.lo, r.hi]);

describe('IntervalSet', () => {
  it('starts empty', () => {
    const s = new IntervalSet();
    expect(s.isEmpty()).toBe(true);
    expect(s.first()).toBeUndefined();
    expect(s.size()).toBe(0n);
    expect(s.firstN(3)).toEqual([]);
  });

  it('merges overlapping and adjacent ranges into one interval', () => {
    const s = IntervalSet.of([{ lo: 10n, hi: 20n }, { lo: 21n, hi: 30n }, { lo: 5n, hi: 12n }]);
    expect(iv(s)).toEqual([[5n, 30n]]);
    expect(s.size()).toBe(26n);
  });

  it('keeps ranges with a gap apart, sorted', () => {
    const s = IntervalSet.of([{ lo: 40n, hi: 50n }, { lo: 10n, hi: 20n }]);
    expect(iv(s)).toEqual([[10n, 20n], [40n, 50n]]);
  });

  it('bridges two intervals when the gap between them is added', () => {
    const s = IntervalSet.of([{ lo: 0n, hi: 4n }, { lo: 6n, hi: 9n }, { lo: 20n, hi: 30n }]);
    s.add(5n, 5n);
    expect(iv(s)).toEqual([[0n, 9n], [20n, 30n]]);
    s.add(8n, 25n);
    expect(iv(s)).toEqual([[0n, 30n]]);
    expect(s.size()).toBe(31n);
  });

  it('punches a hole and trims edges on remove', () => {
    const s = IntervalSet.of([{ lo: 0n, hi: 100n }]);
    s.remove(50n, 50n);
    expect(iv(s)).toEqual([[0n, 49n], [51n, 100n]]);
    s.remove(0n, 9n);
    s.remove(95n, 200n);
    expect(iv(s)).toEqual([[10n, 49n], [51n, 94n]]);
    expect(s.size()).toBe(40n + 44n);
    s.remove(40n, 60n);
    expect(iv(s)).toEqual([[10n, 39n], [61n, 94n]]);
  });

  it('answers has() at interval edges', () => {
    const s = IntervalSet.of([{ lo: 10n, hi: 20n }, { lo: 30n, hi: 30n }]);
    expect([9n, 10n, 20n, 21n, 29n, 30n, 31n].map((x) => s.has(x))).toEqual([false, true, true, false, false, true, false]);
  });

  it('lists the n lowest members across intervals', () => {
    const s = IntervalSet.of([{ lo: 1n, hi: 2n }, { lo: 5n, hi: 7n }]);
    expect(s.firstN(4)).toEqual([1n, 2n, 5n, 6n]);
    expect(s.firstN(10)).toEqual([1n, 2n, 5n, 6n, 7n]);
  });

  it('holds an IPv6 /64 as one interval', () => {
    const s = IntervalSet.of([{ lo: 1n, hi: (1n << 64n) - 1n }]);
    expect(s.size()).toBe((1n << 64n) - 1n);
    s.remove(1n, 1n);
    expect(s.first()).toBe(2n);
    expect(s.intervalCount()).toBe(1);
  });

  it('drains lowest-first and refills to the same intervals', () => {
    const ranges = [{ lo: 0n, hi: 99n }, { lo: 200n, hi: 299n }, { lo: 1000n, hi: 1000n }];
    const s = IntervalSet.of(ranges);
    const taken: bigint[] = [];
    for (let x = s.first(); x !== undefined; x = s.first()) {
      taken.push(x);
      s.remove(x, x);
    }
    expect(taken.length).toBe(201);
    expect(s.isEmpty()).toBe(true);
    for (const x of taken.reverse()) s.add(x, x);
    expect(s.intervals()).toEqual(ranges);
    expect(s.size()).toBe(201n);
  });

  it('clones independently', () => {
    const s = IntervalSet.of([{ lo: 0n, hi: 9n }]);
    const c = s.clone();
    c.remove(0n, 4n);
    expect(iv(s)).toEqual([[0n, 9n]]);
    expect(iv(c)).toEqual([[5n, 9n]]);
    expect(s.equals(c)).toBe(false);
    c.add(0n, 4n);
    expect(s.equals(c)).toBe(true);
  });

  it('refuses a reversed range', () => {
    expect(() => new IntervalSet().add(5n, 4n)).toThrow(RangeError);
  });
});

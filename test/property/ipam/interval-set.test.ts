import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntervalSet } from '../../../src/ipam/interval-set.js';

/** IntervalSet against a plain Set<bigint> on a universe small enough to enumerate. */
const UNIVERSE = 64;
type Op = { kind: 'add' | 'remove'; lo: bigint; hi: bigint };

const opArb: fc.Arbitrary<Op> = fc
  .record({ kind: fc.constantFrom<'add' | 'remove'>('add', 'remove'), a: fc.nat(UNIVERSE - 1), b: fc.nat(UNIVERSE - 1) })
  .map(({ kind, a, b }) => ({ kind, lo: BigInt(Math.min(a, b)), hi: BigInt(Math.max(a, b)) }));

// Mostly short ranges, so that many intervals coexist and merges/splits get exercised.
const shortOpArb: fc.Arbitrary<Op> = fc
  .record({ kind: fc.constantFrom<'add' | 'remove'>('add', 'remove'), a: fc.nat(UNIVERSE - 1), len: fc.nat(3) })
  .map(({ kind, a, len }) => ({ kind, lo: BigInt(a), hi: BigInt(Math.min(a + len, UNIVERSE - 1)) }));

function agrees(set: IntervalSet, model: Set<bigint>): void {
  const sorted = [...model].sort((x, y) => (x < y ? -1 : 1));
  for (let x = -1n; x <= BigInt(UNIVERSE); x++) expect(set.has(x)).toBe(model.has(x));
  expect(set.size()).toBe(BigInt(model.size));
  expect(set.isEmpty()).toBe(model.size === 0);
  expect(set.first()).toBe(sorted[0]);
  expect(set.firstN(5)).toEqual(sorted.slice(0, 5));
  // The representation invariant: sorted, disjoint, non-adjacent, non-empty intervals.
  const iv = set.intervals();
  iv.forEach((r, i) => {
    expect(r.lo <= r.hi).toBe(true);
    const next = iv[i + 1];
    if (next) expect(r.hi + 1n < next.lo).toBe(true);
  });
  expect(iv.flatMap((r) => Array.from({ length: Number(r.hi - r.lo + 1n) }, (_, k) => r.lo + BigInt(k)))).toEqual(sorted);
}

describe('IntervalSet against a Set<bigint> model (property)', () => {
  it('agrees after any sequence of add/remove', () => {
    fc.assert(fc.property(fc.array(fc.oneof(opArb, shortOpArb, shortOpArb), { maxLength: 40 }), (ops) => {
      const set = new IntervalSet();
      const model = new Set<bigint>();
      for (const op of ops) {
        if (op.kind === 'add') set.add(op.lo, op.hi);
        else set.remove(op.lo, op.hi);
        for (let x = op.lo; x <= op.hi; x++) {
          if (op.kind === 'add') model.add(x);
          else model.delete(x);
        }
        agrees(set, model);
      }
    }), { numRuns: 200 });
  });

  it('lowest-first draining then refilling in any order gives back the same intervals', () => {
    fc.assert(fc.property(fc.array(shortOpArb, { maxLength: 20 }), fc.nat(), (ops, seed) => {
      const set = new IntervalSet();
      for (const op of ops) if (op.kind === 'add') set.add(op.lo, op.hi);
      const before = set.intervals();
      const drained: bigint[] = [];
      for (let x = set.first(); x !== undefined; x = set.first()) {
        drained.push(x);
        set.remove(x, x);
      }
      // A deterministic shuffle from the generated seed.
      const order = drained.map((x, i) => ({ x, key: (i * 2654435761 + seed) % 1000003 })).sort((a, b) => a.key - b.key);
      for (const { x } of order) set.add(x, x);
      expect(set.intervals()).toEqual(before);
    }), { numRuns: 200 });
  });

  it('clone() is independent of the original', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 10 }), opArb, (ops, extra) => {
      const set = new IntervalSet();
      for (const op of ops) if (op.kind === 'add') set.add(op.lo, op.hi); else set.remove(op.lo, op.hi);
      const before = set.intervals();
      const copy = set.clone();
      if (extra.kind === 'add') copy.add(extra.lo, extra.hi); else copy.remove(extra.lo, extra.hi);
      expect(set.intervals()).toEqual(before);
    }), { numRuns: 100 });
  });
});

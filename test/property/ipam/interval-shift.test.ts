/**
 * IntervalSet.shift (lowest-first allocation's fast path, issue 18) is remove(first, first):
 * after any mix of adds, removes and shifts it returns the same member and leaves the same
 * intervals and size as the general remove on a copy.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntervalSet } from '../../../src/ipam/interval-set.js';

const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), lo: fc.bigInt({ min: 0n, max: 300n }), len: fc.bigInt({ min: 0n, max: 40n }) }),
  fc.record({ kind: fc.constant('remove' as const), lo: fc.bigInt({ min: 0n, max: 300n }), len: fc.bigInt({ min: 0n, max: 10n }) }),
  fc.record({ kind: fc.constant('shift' as const), times: fc.integer({ min: 1, max: 80 }) }),
);

describe('IntervalSet.shift (property)', () => {
  it('is remove(first, first), returning first (500 runs)', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
      const fast = new IntervalSet();
      const slow = new IntervalSet();
      for (const o of ops) {
        if (o.kind === 'add') { fast.add(o.lo, o.lo + o.len); slow.add(o.lo, o.lo + o.len); continue; }
        if (o.kind === 'remove') { fast.remove(o.lo, o.lo + o.len); slow.remove(o.lo, o.lo + o.len); continue; }
        for (let i = 0; i < o.times; i++) {
          const first = slow.first();
          if (first !== undefined) slow.remove(first, first);
          expect(fast.shift()).toBe(first);
          expect(fast.intervals()).toEqual(slow.intervals());
          expect(fast.size()).toBe(slow.size());
        }
      }
      expect(fast.equals(slow)).toBe(true);
      expect(fast.has(fast.first() ?? -1n)).toBe(fast.first() !== undefined);
    }), { numRuns: 500 });
  });
});

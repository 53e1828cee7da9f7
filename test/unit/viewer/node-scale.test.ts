/**
 * How much a cloud's nodes shrink (viewer/theme.ts nodeScale): full size up to the clouds whose
 * labels all show, smaller as clouds grow, never below a quarter, and never growing with size.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_LABELS_UP_TO, nodeScale } from '../../../viewer/theme.js';

describe('nodeScale', () => {
  it('keeps small clouds at full size and shrinks large ones, down to a quarter', () => {
    expect(nodeScale(1)).toBe(1);
    expect(nodeScale(ALL_LABELS_UP_TO)).toBe(1);
    expect(nodeScale(4 * ALL_LABELS_UP_TO)).toBe(0.5);
    expect(nodeScale(10_114)).toBe(0.25); // the 10,000-instance cloud
  });

  it('never grows as a cloud grows, and stays within a quarter and one', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), (n, more) => {
      expect(nodeScale(n + more)).toBeLessThanOrEqual(nodeScale(n));
      expect(nodeScale(n)).toBeGreaterThanOrEqual(0.25);
      expect(nodeScale(n)).toBeLessThanOrEqual(1);
    }));
  });
});

/**
 * The overlap sweep against the pairwise definition: for any list of IPv4 and IPv6 prefixes
 * (clustered so that equal, nested and disjoint ones all occur), each index gets the smallest
 * earlier index whose prefix overlaps it, exactly as comparing every pair would say.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrsOverlap, maskOf, type Cidr } from '../../../src/address/cidr.js';
import { earliestOverlaps } from '../../../src/topology/overlaps.js';

/** Prefixes inside 10.0.0.0/20 or ::a00:0/116 (the same numbers in IPv6) so that they often meet, and only the version tells some apart. */
const cidr: fc.Arbitrary<Cidr> = fc.oneof(
  fc.record({ prefix: fc.integer({ min: 20, max: 32 }), bits: fc.integer({ min: 0, max: 0xfff }) })
    .map(({ prefix, bits }) => ({ version: 4 as const, prefix, network: (0x0a000000n + BigInt(bits)) & maskOf(4, prefix) })),
  fc.record({ prefix: fc.integer({ min: 116, max: 128 }), bits: fc.integer({ min: 0, max: 0xfff }) })
    .map(({ prefix, bits }) => ({ version: 6 as const, prefix, network: (0x0a000000n + BigInt(bits)) & maskOf(6, prefix) })),
);

function pairwise(cidrs: readonly Cidr[]): (number | undefined)[] {
  return cidrs.map((c, i) => {
    const j = cidrs.findIndex((d, k) => k < i && cidrsOverlap(c, d));
    return j === -1 ? undefined : j;
  });
}

describe('earliestOverlaps (property)', () => {
  it('agrees with comparing every pair', () => {
    fc.assert(fc.property(fc.array(cidr, { maxLength: 60 }), (cidrs) => {
      expect(earliestOverlaps(cidrs)).toEqual(pairwise(cidrs));
    }), { numRuns: 1000 });
  });

  it('is the same whichever order equal prefixes come in: the first in the list is named', () => {
    fc.assert(fc.property(cidr, fc.integer({ min: 2, max: 30 }), (c, n) => {
      const same = Array.from({ length: n }, () => ({ ...c }));
      expect(earliestOverlaps(same)).toEqual([undefined, ...Array<number>(n - 1).fill(0)]);
    }));
  });
});

/**
 * LengthFilter alone, against its specification: the window starts after the leading bits every
 * key shares (at most at bit 16); a table whose length does not reach past that start is probed
 * for every address; any other table's bit is set exactly when one of its keys agrees with the
 * address on the window's bits that the key's length covers. Also its input checks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LengthFilter } from '../../../src/firewall/length-filter.js';
import { mask32 } from '../../../src/firewall/words.js';

/** The leading bits all the keys share, capped at 16 (the window's start). */
function startOf(firstWords: readonly (readonly number[])[]): number {
  const all = firstWords.flat();
  for (let bit = 0; bit < 16; bit++) {
    const m = (0x80000000 >>> bit) >>> 0;
    if (all.some((w) => ((w ^ all[0]!) & m) !== 0)) return bit;
  }
  return 16;
}

/** Bit i: table i may hold a prefix containing `word` (a model reading bits one by one). */
function nearModel(lengths: readonly number[], firstWords: readonly (readonly number[])[], word: number): number {
  const start = startOf(firstWords);
  let bits = 0;
  lengths.forEach((len, i) => {
    const length = Math.min(32, len);
    if (length <= start) {
      bits |= 1 << i;
      return;
    }
    const end = Math.min(start + 16, length);
    const agrees = (w: number): boolean => {
      for (let b = start; b < end; b++) if (((w >>> (31 - b)) & 1) !== ((word >>> (31 - b)) & 1)) return false;
      return true;
    };
    if (firstWords[i]!.some(agrees)) bits |= 1 << i;
  });
  return bits;
}

/** Up to 8 tables of lengths 0-40 (above 32: IPv6 keys' first words), keys near a few bases so they share leading bits. */
const tables = fc.constantFrom(0x0a000000, 0xc0a80000, 0x00000000, 0xffff0000, 0x20010db8).chain((base) =>
  fc.array(
    fc.tuple(fc.integer({ min: 0, max: 40 }), fc.array(fc.oneof(fc.nat(0xffff), fc.integer({ min: 0, max: 0xffffffff }).map((x) => x - base)), { maxLength: 4 }))
      .map(([len, lows]) => [len, lows.map((l) => ((base + l) & mask32(Math.min(32, len))) >>> 0)] as const),
    { maxLength: 8 },
  ).map((ts) => ({ base, lengths: ts.map(([l]) => l), firstWords: ts.map(([, ws]) => ws) })));

/** Addresses near the keys (a key with low bits flipped) or anywhere. */
const probeNear = (firstWords: readonly (readonly number[])[], base: number) => {
  const keys = firstWords.flat();
  return fc.oneof(
    fc.integer({ min: 0, max: 0xffffffff }),
    fc.tuple(fc.constantFrom(base, ...keys), fc.nat(31)).map(([k, bit]) => (k ^ (1 << bit)) >>> 0),
    fc.tuple(fc.constantFrom(base, ...keys), fc.nat(0xffff)).map(([k, low]) => (k | low) >>> 0),
  );
};

describe('LengthFilter ≡ its bit-by-bit specification', () => {
  it('start is the shared leading bits (capped at 16), and near() equals the model for every address', () => {
    fc.assert(
      fc.property(tables.chain((t) => fc.tuple(fc.constant(t), fc.array(probeNear(t.firstWords, t.base), { minLength: 1, maxLength: 8 }))), ([t, probes]) => {
        const filter = new LengthFilter(t.lengths, t.firstWords);
        expect(filter.start).toBe(startOf(t.firstWords));
        for (const p of probes) expect(filter.near(p)).toBe(nearModel(t.lengths, t.firstWords, p));
      }),
      { numRuns: 400 },
    );
  });

  it('examples: keys inside one /16 are told apart by the bits below it; a short key is near its whole span', () => {
    // Keys 10.0.1.0/24, 10.0.2.0/24 and 10.0.0.0/8 share their top 22 bits: the window starts at bit 16 (the cap).
    const f = new LengthFilter([24, 24, 8], [[0x0a000100], [0x0a000200], [0x0a000000]]);
    expect(f.start).toBe(16);
    expect(f.near(0x0a000105)).toBe(0b101);
    expect(f.near(0x0a000205)).toBe(0b110);
    expect(f.near(0x0a000305)).toBe(0b100);
    // Keys differing in bit 0 put the window at bits 0-15: a /20 key covers the whole window (one slot).
    const g = new LengthFilter([20, 1], [[0x0a000000], [0x80000000]]);
    expect(g.start).toBe(0);
    expect(g.near(0x0a00f123)).toBe(0b01);
    expect(g.near(0x0a010000)).toBe(0b00);
    expect(g.near(0x8a010000)).toBe(0b10);
    expect(g.near(0xffffffff)).toBe(0b10);
    // A /1 key leaves the window's 15 low bits free: it is near exactly the half of the space it holds.
    const halves = new LengthFilter([1, 1], [[0x00000000], [0x80000000]]);
    expect(halves.near(0x7fffffff)).toBe(0b01);
    expect(halves.near(0x80000000)).toBe(0b10);
    // No keys at all: start 16; tables of length <= 16 are always probed, longer ones never.
    const e = new LengthFilter([16, 17], [[], []]);
    expect(e.start).toBe(16);
    expect(e.near(0x12345678)).toBe(0b01);
  });

  it('takes at most 8 tables, each with its key list', () => {
    const eight = Array.from({ length: 8 }, (_, i) => 24 + i);
    expect(() => new LengthFilter(eight, eight.map(() => [0x0a000000]))).not.toThrow();
    expect(() => new LengthFilter([...eight, 32], [...eight, 32].map(() => [0x0a000000]))).toThrow('LengthFilter: at most 8 tables, each with its keys (got 9 lengths, 9 key lists)');
    expect(() => new LengthFilter([24, 25], [[0x0a000000]])).toThrow('LengthFilter: at most 8 tables, each with its keys (got 2 lengths, 1 key lists)');
  });
});

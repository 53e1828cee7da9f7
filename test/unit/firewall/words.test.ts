/**
 * Addresses as 32-bit words (src/firewall/words.ts) against bigint arithmetic: the words of an
 * IPv4 or IPv6 address, most significant first; every bit read from the words; writeWords
 * filling the array it is given; mask32 as the prefix mask of a word.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitOf, mask32, wordsOf, writeWords } from '../../../src/firewall/words.js';

const v4 = fc.integer({ min: 0, max: 0xffffffff });
const v6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });

describe('wordsOf and bitOf', () => {
  it('IPv4: one word, the address; bit i is bit 31 - i of the number', () => {
    fc.assert(fc.property(v4, (a) => {
      const w = wordsOf(a);
      expect([...w]).toEqual([a]);
      for (let i = 0; i < 32; i++) expect(bitOf(w, i)).toBe(((BigInt(a) >> BigInt(31 - i)) & 1n) === 1n);
    }), { numRuns: 300 });
  });

  it('IPv6: four words, most significant first; bit i is bit 127 - i of the address', () => {
    fc.assert(fc.property(v6, (a) => {
      const w = wordsOf(a);
      expect([...w]).toEqual([0, 1, 2, 3].map((k) => Number((a >> BigInt(96 - 32 * k)) & 0xffffffffn)));
      for (let i = 0; i < 128; i++) expect(bitOf(w, i)).toBe(((a >> BigInt(127 - i)) & 1n) === 1n);
    }), { numRuns: 300 });
  });

  it('known words: 2001:db8::1 and 255.0.0.1', () => {
    expect([...wordsOf(0x20010db8000000000000000000000001n)]).toEqual([0x20010db8, 0, 0, 1]);
    expect([...wordsOf(0xffffffffffffffffffffffffffffffffn)]).toEqual([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]);
    expect([...wordsOf(0xff000001)]).toEqual([0xff000001]);
  });
});

describe('writeWords', () => {
  it('fills and returns the array it is given (IPv4: the first word only)', () => {
    const out = new Uint32Array([7, 7, 7, 7]);
    expect(writeWords(0x0a000001, out)).toBe(out);
    expect([...out]).toEqual([0x0a000001, 7, 7, 7]);
    expect(writeWords(0x20010db8000000010000000200000003n, out)).toBe(out);
    expect([...out]).toEqual([0x20010db8, 1, 2, 3]);
  });
});

describe('mask32', () => {
  it('the first n bits of a word set, the rest clear', () => {
    for (let n = 0; n <= 32; n++) expect(mask32(n)).toBe(Number(((1n << 32n) - 1n) ^ ((1n << BigInt(32 - n)) - 1n)));
  });
});

/**
 * The prefix index the compiled matcher's remote candidates use, alone: a hash per length over
 * IPv4 and IPv6 addresses, against a plain scan, with values inserted in any order (the matcher
 * inserts in union order, but nothing in the indexes may rely on it), a bound, and values the
 * packet's protocol part does not accept.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { insertInOrder, PrefixHash } from '../../../src/firewall/prefix-hash.js';
import { wordsOf } from '../../../src/firewall/words.js';
import { prefixContains, prefixValue, type PrefixValue } from '../../../src/packet/ip-value.js';

const v4 = (network: number, length: number): PrefixValue => prefixValue(network, length);
const v6 = (network: bigint, length: number): PrefixValue => prefixValue(network, length);

/** Addresses from a small pool, so prefixes often contain them. */
const addr4 = fc.constantFrom(0x0a000001, 0x0a000102, 0x0a0001ff, 0xc0a80001, 0x0a800000).chain((a) => fc.integer({ min: 0, max: 3 }).map((d) => (a + d) >>> 0));
const addr6 = fc.constantFrom(0x20010db8n << 96n, (0x20010db8n << 96n) | (1n << 64n), 0xfd00n << 112n).chain((a) => fc.bigInt({ min: 0n, max: 5n }).map((d) => a | d));

/** A stored value: its order, and whether the packet's protocol part would match it. */
interface Value {
  readonly order: number;
  readonly ok: boolean;
}
const accepted = (v: Value): boolean => v.ok;

describe('prefix indexes ≡ a scan for the lowest accepted order containing the address, below a bound', () => {
  it('IPv4 hash per length, any insertion order', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ a: addr4, len: fc.integer({ min: 0, max: 32 }), order: fc.nat(50), ok: fc.boolean() }), { maxLength: 30 }), addr4, fc.integer({ min: 0, max: 60 }), (entries, probe, bound) => {
        const index = new PrefixHash<Value>();
        const stored = entries.map((e) => ({ prefix: v4(e.a, e.len), value: { order: e.order, ok: e.ok } }));
        for (const s of stored) index.insert(s.prefix, s.value);
        const want = stored.filter((s) => prefixContains(s.prefix, probe) && s.value.order < bound && s.value.ok).map((s) => s.value.order).sort((x, y) => x - y)[0];
        expect(index.lookup(wordsOf(probe), bound, accepted, null)?.order).toBe(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('IPv6 hash per length (a hash per word), any insertion order', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ a: addr6, len: fc.integer({ min: 0, max: 128 }), order: fc.nat(50), ok: fc.boolean() }), { maxLength: 30 }), addr6, fc.integer({ min: 0, max: 60 }), (entries, probe, bound) => {
        const index = new PrefixHash<Value>();
        const stored = entries.map((e) => ({ prefix: v6(e.a, e.len), value: { order: e.order, ok: e.ok } }));
        for (const s of stored) index.insert(s.prefix, s.value);
        const want = stored.filter((s) => prefixContains(s.prefix, probe) && s.value.order < bound && s.value.ok).map((s) => s.value.order).sort((x, y) => x - y)[0];
        expect(index.lookup(wordsOf(probe), bound, accepted, null)?.order).toBe(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('a later, lower-order prefix of another length is found even after a higher-order match', () => {
    const index = new PrefixHash<Value>();
    index.insert(v4(0x0a000000, 8), { order: 9, ok: true });
    index.insert(v4(0x0a000100, 24), { order: 3, ok: true });
    index.insert(v4(0x0a000100, 24), { order: 1, ok: false });
    expect(index.lookup(wordsOf(0x0a000105), Infinity, accepted, null)?.order).toBe(3);
    expect(index.lookup(wordsOf(0x0a000105), 3, accepted, null)).toBeUndefined();
    expect(index.lookup(wordsOf(0x0a020105), Infinity, accepted, null)?.order).toBe(9);
  });
});

describe('insertInOrder (a key\'s value list)', () => {
  it('keeps each value once (a group member listed twice), in order, whatever the insertion order (300 runs)', () => {
    const values = Array.from({ length: 8 }, (_, order) => ({ order }));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 30 }), (picks) => {
        const list: { order: number }[] = [];
        for (const i of picks) insertInOrder(list, values[i]!);
        expect(list).toEqual([...new Set(picks)].sort((a, b) => a - b).map((i) => values[i]));
      }),
      { numRuns: 300 },
    );
  });
});

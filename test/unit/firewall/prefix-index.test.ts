/**
 * The prefix index the compiled matcher's remote candidates use, alone: a hash per length over
 * IPv4 and IPv6 addresses (prefix-table.ts), with and without its length filter
 * (length-filter.ts), against a plain scan for the lowest accepted order among the prefixes
 * containing the address, below a bound, with values the packet's protocol part does not accept.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LengthFilter } from '../../../src/firewall/length-filter.js';
import { FILTERED_KEYS, PrefixHash, type PrefixCandidates } from '../../../src/firewall/prefix-hash.js';
import { PrefixTable } from '../../../src/firewall/prefix-table.js';
import { wordsOf } from '../../../src/firewall/words.js';
import { prefixContains, prefixValue, type IpValue, type PrefixValue } from '../../../src/packet/ip-value.js';

const v4 = (network: number, length: number): PrefixValue => prefixValue(network, length);
const v6 = (network: bigint, length: number): PrefixValue => prefixValue(network, length);

/** Addresses from a small pool, so prefixes often contain them. */
const addr4 = fc.constantFrom(0x0a000001, 0x0a000102, 0x0a0001ff, 0xc0a80001, 0x0a800000).chain((a) => fc.integer({ min: 0, max: 3 }).map((d) => (a + d) >>> 0));
const addr6 = fc.constantFrom(0x20010db8n << 96n, (0x20010db8n << 96n) | (1n << 64n), 0xfd00n << 112n).chain((a) => fc.bigInt({ min: 0n, max: 5n }).map((d) => a | d));

/** A prefix's value: its orders, and which of them the packet's protocol part accepts. */
class Values implements PrefixCandidates<null, { order: number }> {
  readonly min: number;
  constructor(readonly entries: readonly { order: number; ok: boolean }[]) {
    this.min = Math.min(...entries.map((e) => e.order));
  }

  first(_: null, bound: number): { order: number } | undefined {
    return [...this.entries].sort((a, b) => a.order - b.order).find((e) => e.ok && e.order < bound);
  }
}

interface Stored {
  readonly prefix: PrefixValue;
  readonly order: number;
  readonly ok: boolean;
}

/** The index over the stored entries: one value per distinct prefix. */
function indexOf(stored: readonly Stored[], filteredKeys?: number): PrefixHash<null, { order: number }, Values> {
  const byKey = new Map<string, { prefix: PrefixValue; entries: { order: number; ok: boolean }[] }>();
  for (const s of stored) {
    const key = `${s.prefix.length}/${s.prefix.network}`;
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = { prefix: s.prefix, entries: [] }));
    e.entries.push({ order: s.order, ok: s.ok });
  }
  return new PrefixHash([...byKey.values()].map((e) => [e.prefix, new Values(e.entries)] as const), filteredKeys);
}

const scan = (stored: readonly Stored[], probe: IpValue, bound: number): number | undefined =>
  stored.filter((s) => prefixContains(s.prefix, probe) && s.order < bound && s.ok).map((s) => s.order).sort((x, y) => x - y)[0];

describe('prefix indexes ≡ a scan for the lowest accepted order containing the address, below a bound', () => {
  for (const filtered of [false, true]) {
    const what = filtered ? 'with the length filter' : 'without the filter';
    it(`IPv4 hash per length, ${what}`, () => {
      fc.assert(
        fc.property(fc.array(fc.record({ a: addr4, len: fc.integer({ min: 0, max: 32 }), order: fc.nat(50), ok: fc.boolean() }), { maxLength: 30 }), addr4, fc.integer({ min: 0, max: 60 }), (entries, probe, bound) => {
          const stored = entries.map((e) => ({ prefix: v4(e.a, e.len), order: e.order, ok: e.ok }));
          expect(indexOf(stored, filtered ? 0 : undefined).lookup(wordsOf(probe), bound, null)?.order).toBe(scan(stored, probe, bound));
        }),
        { numRuns: 2000 },
      );
    });

    it(`IPv6 hash per length (keys of up to four words), ${what}`, () => {
      fc.assert(
        fc.property(fc.array(fc.record({ a: addr6, len: fc.integer({ min: 0, max: 128 }), order: fc.nat(50), ok: fc.boolean() }), { maxLength: 30 }), addr6, fc.integer({ min: 0, max: 60 }), (entries, probe, bound) => {
          const stored = entries.map((e) => ({ prefix: v6(e.a, e.len), order: e.order, ok: e.ok }));
          expect(indexOf(stored, filtered ? 0 : undefined).lookup(wordsOf(probe), bound, null)?.order).toBe(scan(stored, probe, bound));
        }),
        { numRuns: 2000 },
      );
    });
  }

  it(`${FILTERED_KEYS} keys or more get the filter on their own; lookups still equal the scan (IPv4 spread over the space, and inside one /16)`, () => {
    const inside = fc.nat(0xffff).map((low) => (0x0a000000 | low) >>> 0);
    const anywhere = fc.nat({ max: 0xffffffff });
    for (const addr of [anywhere, inside]) {
      fc.assert(
        fc.property(fc.array(fc.record({ a: addr, len: fc.constantFrom(16, 20, 24, 28, 32, 8, 12, 30), order: fc.nat(5000), ok: fc.boolean() }), { minLength: FILTERED_KEYS + 200, maxLength: FILTERED_KEYS + 400 }), fc.array(addr, { minLength: 50, maxLength: 50 }), (entries, probes) => {
          const stored = entries.map((e) => ({ prefix: v4(e.a, e.len), order: e.order, ok: e.ok }));
          const index = indexOf(stored);
          // Entries inside one /16 collapse at the short lengths: the filter is there iff the distinct keys reach the threshold.
          expect(index.filtered).toBe(new Set(stored.map((s) => `${s.prefix.length}/${s.prefix.network}`)).size >= FILTERED_KEYS);
          // Probes inside stored prefixes too, so that lookups match.
          for (const probe of [...probes, ...stored.slice(0, 50).map((s) => (s.prefix.network as number) + 1)]) {
            for (const bound of [Infinity, 2500]) expect(index.lookup(wordsOf(probe), bound, null)?.order).toBe(scan(stored, probe, bound));
          }
        }),
        // Shrinking a thousand entries takes minutes: report the first counterexample as it is.
        { numRuns: 15, endOnFailure: true },
      );
    }
  });

  it(`the filter is built from ${FILTERED_KEYS} keys (or the count given) over two lengths or more, never for one length`, () => {
    /** `n` distinct /24 keys, and one /16 when `lengths` is 2. */
    const keys = (n: number, lengths: 1 | 2): Stored[] => [
      ...Array.from({ length: n - lengths + 1 }, (_, i) => ({ prefix: v4((0x0a000000 + i * 256) >>> 0, 24), order: i, ok: true })),
      ...(lengths === 2 ? [{ prefix: v4(0xc0a80000, 16), order: n, ok: true }] : []),
    ];
    expect(indexOf(keys(FILTERED_KEYS, 2)).filtered).toBe(true);
    expect(indexOf(keys(FILTERED_KEYS - 1, 2)).filtered).toBe(false);
    expect(indexOf(keys(FILTERED_KEYS + 5, 1)).filtered).toBe(false);
    expect(indexOf(keys(3, 2), 3).filtered).toBe(true);
    expect(indexOf(keys(3, 2), 4).filtered).toBe(false);
    expect(indexOf(keys(1, 1), 0).filtered).toBe(false);
    expect(indexOf([], 0).filtered).toBe(false);
    // Filtered or not, the answers are the scan's.
    const stored = keys(FILTERED_KEYS, 2);
    for (const probe of [0x0a000005, 0x0a03fe07, 0xc0a8ff01, 0x0b000000]) {
      expect(indexOf(stored).lookup(wordsOf(probe), Infinity, null)?.order).toBe(scan(stored, probe, Infinity));
    }
  });

  it('a later, lower-order prefix of another length is found even after a higher-order match', () => {
    const index = indexOf([
      { prefix: v4(0x0a000000, 8), order: 9, ok: true },
      { prefix: v4(0x0a000100, 24), order: 3, ok: true },
      { prefix: v4(0x0a000100, 24), order: 1, ok: false },
    ]);
    expect(index.lookup(wordsOf(0x0a000105), Infinity, null)?.order).toBe(3);
    expect(index.lookup(wordsOf(0x0a000105), 3, null)).toBeUndefined();
    expect(index.lookup(wordsOf(0x0a020105), Infinity, null)?.order).toBe(9);
  });
});

describe('PrefixTable (one length)', () => {
  it('finds exactly the stored prefix containing the address, for any set of distinct keys (IPv4 and IPv6)', () => {
    const keyed = fc.oneof(
      fc.tuple(fc.constant(4 as const), fc.integer({ min: 0, max: 32 }), fc.uniqueArray(addr4, { maxLength: 40 }), addr4),
      fc.tuple(fc.constant(6 as const), fc.integer({ min: 0, max: 128 }), fc.uniqueArray(addr6, { maxLength: 40 }), addr6),
    );
    fc.assert(
      fc.property(keyed, ([, length, addrs, probe]) => {
        const prefixes = [...new Map(addrs.map((a) => prefixValue(a, length)).map((p) => [p.network, p])).values()];
        const table = new PrefixTable(length, prefixes.map((p, i) => [p, i] as const));
        const want = prefixes.findIndex((p) => prefixContains(p, probe));
        expect(table.get(wordsOf(probe))).toBe(want < 0 ? undefined : want);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a prefix of another length and the same prefix twice', () => {
    expect(() => new PrefixTable(24, [[v4(0x0a000000, 16), 1]])).toThrow(/a \/16 prefix given to the \/24 table/);
    expect(() => new PrefixTable(24, [[v4(0x0a000000, 24), 1], [v4(0x0a000000, 24), 2]])).toThrow(/given twice/);
  });
});

describe('LengthFilter', () => {
  /** Keys of up to 8 tables, all inside `base`'s top `shared` bits (0: anywhere). */
  const tables = (shared: number) => fc.tuple(fc.nat({ max: 0xffffffff }), fc.uniqueArray(fc.integer({ min: 1, max: 32 }), { minLength: 1, maxLength: 8 }))
    .chain(([base, lengths]) => fc.tuple(
      fc.constant(lengths),
      fc.tuple(...lengths.map((length) => fc.array(fc.nat({ max: 0xffffffff }).map((a) => {
        const inside = shared === 0 ? a : ((base & v4Mask(shared)) | (a & ~v4Mask(shared))) >>> 0;
        return prefixValue(inside, length).network as number;
      }), { minLength: 1, maxLength: 20 }))),
      fc.nat({ max: 0xffffffff }).map((a) => (shared === 0 ? a : ((base & v4Mask(shared)) | (a & ~v4Mask(shared))) >>> 0)),
    ));
  const v4Mask = (n: number): number => (n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0);

  it('never hides a table holding a prefix that contains the address (keys anywhere, or sharing their top 4, 12 or 20 bits)', () => {
    for (const shared of [0, 4, 12, 20]) {
      fc.assert(
        fc.property(tables(shared), ([lengths, keys, address]) => {
          const filter = new LengthFilter(lengths, keys);
          const near = filter.near(address);
          lengths.forEach((length, i) => {
            if (keys[i]!.some((k) => prefixContains(prefixValue(k, length), address))) expect((near >> i) & 1, `table ${i} (/${length})`).toBe(1);
          });
        }),
        { numRuns: 500 },
      );
    }
  });

  it('hides tables: /24 keys spread over the space are near few addresses; keys inside 10.0.0.0/16 put the window on their low bits', () => {
    const spread = new LengthFilter([24], [[0x0a000100, 0xc0a80000, 0x08080800]]);
    expect(spread.start).toBe(0);
    expect(spread.near(0x0a000105) & 1).toBe(1);
    expect(spread.near(0x0b000105) & 1).toBe(0);
    const inside = new LengthFilter([24, 32], [[0x0a000100, 0x0a000200], [0x0a000305]]);
    expect(inside.start).toBe(16);
    expect(inside.near(0x0a000105)).toBe(1);
    expect(inside.near(0x0a000305)).toBe(2);
    expect(inside.near(0x0a000405)).toBe(0);
    // A table with a key no longer than the shared bits is probed for every address.
    expect(new LengthFilter([8, 24], [[0x0a000000], [0x0a000100, 0x0a000200]]).near(0x0a000505)).toBe(1);
  });

  it('refuses more than 8 tables', () => {
    expect(() => new LengthFilter([1, 2, 3, 4, 5, 6, 7, 8, 9], Array.from({ length: 9 }, () => [0]))).toThrow(/at most 8 tables/);
  });
});

/**
 * jhash beyond the IPv4 known answers of jhash.test.ts (whose keys are 4 and 8 bytes and so never
 * reach the mixing rounds): IPv6 buckets read off Linux 6.18 with nftables 1.0.6 (16- and 20-byte
 * keys: one mix round and a tail), Bob Jenkins' own lookup3 test vectors, and a reference
 * lookup3 written independently here (state in a Uint32Array, tail zero-padded to a whole block,
 * rounds table-driven) that vnet's jhash must equal for any key length and seed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIp } from '../../../src/address/ip.js';
import { jhash, nftJhashBucket, reciprocalScale, sourceKey, VNET_JHASH_SEED } from '../../../src/lb/jhash.js';
import { toIpValue } from '../../../src/packet/ip-value.js';

/** lookup3's hashlittle (= Linux's jhash on a little-endian machine), written from the paper's description. */
function lookup3(key: Uint8Array, initval: number): number {
  const s = new Uint32Array(3); // a, b, c; every store wraps modulo 2^32
  s.fill(0xdeadbeef + key.length + initval);
  const rot = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  // Whole 12-byte blocks; the last (partial) block padded with zeros, as lookup3's masked reads do.
  const padded = new Uint8Array(Math.max(12, Math.ceil(key.length / 12) * 12));
  padded.set(key);
  const view = new DataView(padded.buffer);
  const add = (at: number) => { for (let i = 0; i < 3; i++) s[i] = s[i]! + view.getUint32(at + 4 * i, true); };
  // mix: x -= z; x ^= rot(z, r); z += y — for (x, y, z) = (a, b, c), (b, c, a), (c, a, b), twice.
  const MIX: [number, number, number, number][] = [[0, 1, 2, 4], [1, 2, 0, 6], [2, 0, 1, 8], [0, 1, 2, 16], [1, 2, 0, 19], [2, 0, 1, 4]];
  // final: x ^= y; x -= rot(y, r).
  const FINAL: [number, number, number][] = [[2, 1, 14], [0, 2, 11], [1, 0, 25], [2, 1, 16], [0, 2, 4], [1, 0, 14], [2, 1, 24]];
  let rest = key.length;
  let at = 0;
  for (; rest > 12; rest -= 12, at += 12) {
    add(at);
    for (const [x, y, z, r] of MIX) { s[x] = s[x]! - s[z]!; s[x] = s[x]! ^ rot(s[z]!, r); s[z] = s[z]! + s[y]!; }
  }
  if (rest === 0) return s[2]!;
  add(at);
  for (const [x, y, r] of FINAL) { s[x] = s[x]! ^ s[y]!; s[x] = s[x]! - rot(s[y]!, r); }
  return s[2]!;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const v6 = (text: string) => toIpValue(parseIp(text)!);

describe('lookup3 reference', () => {
  it('gives Bob Jenkins\' published answers (lookup3.c driver5)', () => {
    expect(lookup3(bytes(''), 0)).toBe(0xdeadbeef);
    expect(lookup3(bytes(''), 0xdeadbeef)).toBe(0xbd5b7dde);
    expect(lookup3(bytes('Four score and seven years ago'), 0)).toBe(0x17770551);
    expect(lookup3(bytes('Four score and seven years ago'), 1)).toBe(0xcd628161);
  });
});

describe('jhash', () => {
  it('gives Bob Jenkins\' published answers (an empty key, and 30 bytes: two rounds and a six-byte tail)', () => {
    expect(jhash(bytes(''), 0)).toBe(0xdeadbeef);
    expect(jhash(bytes(''), 0xdeadbeef)).toBe(0xbd5b7dde);
    expect(jhash(bytes('Four score and seven years ago'), 0)).toBe(0x17770551);
    expect(jhash(bytes('Four score and seven years ago'), 1)).toBe(0xcd628161);
  });

  it('equals the reference for every key length from 0 to 40 bytes (each tail length, 0 to 3 rounds)', () => {
    for (let n = 0; n <= 40; n++) {
      const key = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n * 7 + 0x80) & 0xff);
      expect(jhash(key, VNET_JHASH_SEED), `${n} bytes`).toBe(lookup3(key, VNET_JHASH_SEED));
    }
  });

  it('equals the reference for any key and seed', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 0xffffffff }), (key, seed) => {
      expect(jhash(key, seed)).toBe(lookup3(key, seed));
    }), { numRuns: 2000 });
  });
});

describe('jhash ip6 saddr as nftables computes it', () => {
  it('gives the buckets Linux gave for `jhash ip6 saddr mod 1000 seed 0x766e6574`', () => {
    // Read off conntrack marks (`ct mark set jhash …`) of UDP flows from each source, Linux 6.18, nftables 1.0.6.
    const kernel: [string, number][] = [['2001:db8:1::1', 129], ['2001:db8:1::2', 793], ['2001:db8:1::a', 336], ['fd00::1', 710], ['fd00:1234:5678:9abc:def0:1:2:3', 387], ['2001:db8:ffff:ffff:ffff:ffff:ffff:fffe', 201]];
    for (const [src, mark] of kernel) expect(nftJhashBucket(VNET_JHASH_SEED, 1000, v6(src)), src).toBe(mark);
  });

  it('gives the buckets Linux gave for `jhash ip6 saddr . udp sport mod 1000 seed 0x766e6574`', () => {
    const kernel: [string, number, number][] = [['2001:db8:1::1', 30000, 218], ['2001:db8:1::2', 30007, 458], ['2001:db8:1::a', 30014, 277], ['fd00::1', 30021, 191], ['fd00:1234:5678:9abc:def0:1:2:3', 30028, 791], ['2001:db8:ffff:ffff:ffff:ffff:ffff:fffe', 30035, 732]];
    for (const [src, port, mark] of kernel) expect(nftJhashBucket(VNET_JHASH_SEED, 1000, v6(src), port), `${src} ${port}`).toBe(mark);
  });

  it('lays an IPv6 key out in network order, a port after it padded to four bytes', () => {
    const key = sourceKey(v6('fd00:1234:5678:9abc:def0:1:2:3'), 0xabcd);
    expect([...key]).toEqual([0xfd, 0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0, 1, 0, 2, 0, 3, 0xab, 0xcd, 0, 0]);
  });
});

describe('reciprocalScale', () => {
  it('takes the top bits of hash × n: the ends and the middle of the range', () => {
    expect(reciprocalScale(0, 1000)).toBe(0);
    expect(reciprocalScale(0xffffffff, 1000)).toBe(999);
    expect(reciprocalScale(0x80000000, 10)).toBe(5);
    expect(reciprocalScale(0x7fffffff, 10)).toBe(4);
    expect(reciprocalScale(0xffffffff, 1)).toBe(0);
    // hash × n = 2^62 − 1, beyond a double's 53 bits: rounding it up would give 2^30.
    expect(reciprocalScale(0x80000001, 0x7fffffff)).toBe(2 ** 30 - 1);
  });

  it('is (hash × n) >> 32 exactly, for any hash and n (n a u32, as the kernel\'s)', () => {
    // Also pairs whose product is one below a multiple of 2^32 (n = −hash⁻¹ mod 2^32 for an odd
    // hash), where a product of more than 53 bits rounded up would cross into the next bucket.
    const u32 = fc.nat({ max: 0xffffffff });
    const belowMultiple = fc.nat({ max: 0x7fffffff }).map((k) => 2 * k + 1).map((h) => {
      let inv = BigInt(h); // Newton's iteration for the inverse mod 2^32 (each step doubles the correct bits)
      for (let i = 0; i < 5; i++) inv = (inv * (2n - BigInt(h) * inv)) & 0xffffffffn;
      return [h, Number((0x100000000n - inv) & 0xffffffffn)] as const;
    });
    fc.assert(fc.property(fc.oneof(fc.tuple(u32, u32), belowMultiple).filter(([, n]) => n > 0), ([h, n]) => {
      expect(reciprocalScale(h, n)).toBe(Number((BigInt(h) * BigInt(n)) >> 32n));
    }), { numRuns: 1000 });
  });
});

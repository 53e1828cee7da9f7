/**
 * vnet's jhash against Linux's. The known answers were read off a Linux 6.18 kernel (nftables
 * 1.0.6) in a network namespace: an output-hook rule `ct mark set jhash ip saddr mod 1000 seed
 * 0x766e6574` (and `… ip saddr . udp sport …`), UDP from each source, marks read with
 * `conntrack -L`. test/e2e/jhash-kernel.test.ts repeats that experiment live where namespaces
 * can be made. The properties hold for any input: a bucket is in range and depends only on
 * the key.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jhash, nftJhashBucket, reciprocalScale, sourceKey, VNET_JHASH_SEED } from '../../../src/lb/jhash.js';

const ip = (s: string) => s.split('.').reduce((a, b) => a * 256 + Number(b), 0);

describe('jhash as nftables computes it', () => {
  it('gives the buckets the kernel gave for `jhash ip saddr mod 1000 seed 0x766e6574`', () => {
    const kernel: [string, number][] = [['10.9.1.1', 456], ['10.9.1.2', 956], ['10.9.1.10', 452], ['10.9.1.11', 414], ['10.9.1.12', 145], ['10.9.1.13', 530], ['10.9.1.14', 849], ['10.9.1.15', 211], ['10.9.1.16', 493], ['10.9.1.17', 335], ['10.9.1.18', 307], ['10.9.1.19', 217]];
    for (const [src, mark] of kernel) expect(nftJhashBucket(VNET_JHASH_SEED, 1000, ip(src)), src).toBe(mark);
  });

  it('gives the buckets the kernel gave for `jhash ip saddr . udp sport mod 1000 seed 0x766e6574`', () => {
    // Source 10.9.1.i sent from port 20000 + 37 i.
    const kernel: [number, number][] = [[1, 76], [10, 705], [11, 129], [12, 686], [13, 360], [14, 708], [15, 16], [16, 551]];
    for (const [i, mark] of kernel) expect(nftJhashBucket(VNET_JHASH_SEED, 1000, ip(`10.9.1.${i}`), 20000 + 37 * i), `10.9.1.${i}`).toBe(mark);
  });

  it('lays keys out as nftables registers: address in network order, a port padded to four bytes', () => {
    expect([...sourceKey(ip('198.51.100.7'))]).toEqual([198, 51, 100, 7]);
    expect([...sourceKey(ip('198.51.100.7'), 0x1234)]).toEqual([198, 51, 100, 7, 0x12, 0x34, 0, 0]);
    expect(sourceKey(0x20010db8n << 96n, 80)).toHaveLength(20);
    expect([...sourceKey(0x20010db8n << 96n)].slice(0, 5)).toEqual([0x20, 0x01, 0x0d, 0xb8, 0]);
  });

  it('puts every key in a bucket below the modulus, the same one every time', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer(), fc.integer({ min: 1, max: 1 << 20 }), (key, seed, n) => {
      const h = jhash(key, seed >>> 0);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
      expect(jhash(Uint8Array.from(key), seed >>> 0)).toBe(h);
      const b = reciprocalScale(h, n);
      expect(b >= 0 && b < n).toBe(true);
    }));
  });
});

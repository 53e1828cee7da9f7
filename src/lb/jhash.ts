/**
 * Linux's jhash (include/linux/jhash.h: Bob Jenkins' lookup3 over bytes) and the way nftables'
 * `jhash EXPR mod N seed S` turns it into a bucket (net/netfilter/nft_hash.c: reciprocal_scale,
 * the top bits of hash × N). The source-hash algorithms of a load balancer use it, so that a
 * realization in Linux (`vnet realize`) picks the same member for the same client as vnet.
 * nftables hashes the expression's registers: an IPv4 address is 4 bytes in network order; a
 * concatenation pads each part to 4 bytes (`ip saddr . th sport` is 8 bytes, the port's two
 * bytes first and two zero bytes after).
 */

import { writeIpValue } from '../packet/encode.js';
import type { IpValue } from '../packet/ip-value.js';

const JHASH_INITVAL = 0xdeadbeef;

/** The seed vnet hashes with, and gives nftables in a realization ("vnet" in ASCII). */
export const VNET_JHASH_SEED = 0x766e6574;

const rol32 = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** jhash(key, length, initval) of the bytes given. */
export function jhash(key: Uint8Array, initval: number): number {
  let length = key.length;
  let a = (JHASH_INITVAL + length + initval) >>> 0;
  let b = a;
  let c = a;
  let k = 0;
  const word = (i: number) => (key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24)) >>> 0;
  while (length > 12) {
    a = (a + word(k)) >>> 0;
    b = (b + word(k + 4)) >>> 0;
    c = (c + word(k + 8)) >>> 0;
    // __jhash_mix
    a = (a - c) >>> 0; a = (a ^ rol32(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rol32(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 4)) >>> 0; b = (b + a) >>> 0;
    length -= 12;
    k += 12;
  }
  if (length === 0) return c;
  // The tail, byte by byte as the kernel's switch falls through.
  const at = (i: number) => key[k + i]!;
  if (length >= 12) c = (c + (at(11) << 24)) >>> 0;
  if (length >= 11) c = (c + (at(10) << 16)) >>> 0;
  if (length >= 10) c = (c + (at(9) << 8)) >>> 0;
  if (length >= 9) c = (c + at(8)) >>> 0;
  if (length >= 8) b = (b + (at(7) << 24)) >>> 0;
  if (length >= 7) b = (b + (at(6) << 16)) >>> 0;
  if (length >= 6) b = (b + (at(5) << 8)) >>> 0;
  if (length >= 5) b = (b + at(4)) >>> 0;
  if (length >= 4) a = (a + (at(3) << 24)) >>> 0;
  if (length >= 3) a = (a + (at(2) << 16)) >>> 0;
  if (length >= 2) a = (a + (at(1) << 8)) >>> 0;
  a = (a + at(0)) >>> 0;
  // __jhash_final
  c = (c ^ b) >>> 0; c = (c - rol32(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 24)) >>> 0;
  return c;
}

/**
 * The kernel's reciprocal_scale: a 32-bit hash into [0, n) by its top bits, (hash × n) >> 32.
 * In two 16-bit halves of n, since hash × n can need 64 bits and a double holds 53 exactly.
 */
export const reciprocalScale = (hash: number, n: number): number => Math.floor((hash * (n >>> 16) + Math.floor((hash * (n & 0xffff)) / 0x10000)) / 0x10000);

/** The bytes nftables hashes for `ip saddr` / `ip6 saddr` (with `port`: `… . th sport`). */
export function sourceKey(address: IpValue, port?: number): Uint8Array {
  const size = typeof address === 'number' ? 4 : 16;
  const out = new Uint8Array(port === undefined ? size : size + 4);
  const view = new DataView(out.buffer);
  writeIpValue(view, 0, address);
  if (port !== undefined) view.setUint16(size, port);
  return out;
}

/** `jhash ip saddr [. th sport] mod n seed S`, as nftables evaluates it. */
export const nftJhashBucket = (seed: number, n: number, address: IpValue, port?: number): number => reciprocalScale(jhash(sourceKey(address, port), seed), n);

/**
 * An address as 32-bit words, for the matchers' hot paths: IPv4 is one word, IPv6 four, most
 * significant first. Reading a bit or masking a prefix of a word is then plain integer work,
 * with no bigint allocated per step.
 */
import { v4Mask, type IpValue } from '../packet/ip-value.js';

/** An IPv6 address's 16 bytes, written as two 64-bit halves: one bigint shift per address instead of a shift and a mask per word. */
const bytes = new DataView(new ArrayBuffer(16));

/** Writes an address's words into `out` (IPv4: out[0] only) and returns it. */
export function writeWords(a: IpValue, out: Uint32Array): Uint32Array {
  if (typeof a === 'number') {
    out[0] = a;
    return out;
  }
  // setBigUint64 takes its value modulo 2^64: the low half needs no mask.
  bytes.setBigUint64(0, a >> 64n);
  bytes.setBigUint64(8, a);
  out[0] = bytes.getUint32(0);
  out[1] = bytes.getUint32(4);
  out[2] = bytes.getUint32(8);
  out[3] = bytes.getUint32(12);
  return out;
}

export const wordsOf = (a: IpValue): Uint32Array => writeWords(a, new Uint32Array(typeof a === 'number' ? 1 : 4));

/** Bit i of the address, counting from the most significant. */
export const bitOf = (words: Uint32Array, i: number): boolean => ((words[i >>> 5]! >>> (31 - (i & 31))) & 1) === 1;

/** The mask of the first `length` bits of a word. */
export const mask32 = v4Mask;

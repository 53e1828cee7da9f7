/**
 * An address as 32-bit words, for the matchers' hot paths: IPv4 is one word, IPv6 four, most
 * significant first. Reading a bit or masking a prefix of a word is then plain integer work,
 * with no bigint allocated per step.
 */
import { v4Mask, type IpValue } from '../packet/ip-value.js';

const M32 = 0xffffffffn;

/** Writes an address's words into `out` (IPv4: out[0] only) and returns it. */
export function writeWords(a: IpValue, out: Uint32Array): Uint32Array {
  if (typeof a === 'number') {
    out[0] = a;
    return out;
  }
  out[0] = Number((a >> 96n) & M32);
  out[1] = Number((a >> 64n) & M32);
  out[2] = Number((a >> 32n) & M32);
  out[3] = Number(a & M32);
  return out;
}

export const wordsOf = (a: IpValue): Uint32Array => writeWords(a, new Uint32Array(typeof a === 'number' ? 1 : 4));

/** Bit i of the address, counting from the most significant. */
export const bitOf = (words: Uint32Array, i: number): boolean => ((words[i >>> 5]! >>> (31 - (i & 31))) & 1) === 1;

/** The mask of the first `length` bits of a word. */
export const mask32 = v4Mask;

/**
 * The prefixes of one length, as an open-addressing hash over typed arrays: a key is the
 * prefix's 32-bit words (words.ts; one for IPv4 and for IPv6 up to /32, two up to /64, ...),
 * probed with an address's words masked to the length. Keys sit side by side in an Int32Array
 * (no JavaScript Map, whose keys above 2^30 are heap numbers, and no entry objects), half the
 * slots stay empty, so a probe reads one or two slots. Built once from all its keys.
 */
import type { PrefixValue } from '../packet/ip-value.js';
import { mask32, writeWords } from './words.js';

/** Fibonacci hashing's multiplier (2^32 / golden ratio): the product's top bits mix every bit of the key. */
const GOLDEN = 0x9e3779b1;

export class PrefixTable<V> {
  /** How many words the length reaches into (1 for lengths 0-32, 2 for 33-64, ...). */
  readonly depth: number;
  /** The mask of each of those words, as int32 (keys are compared as int32). */
  private readonly masks: Int32Array;
  /** Slot i's key is keys[i * depth .. i * depth + depth - 1]; an empty slot has no value. */
  private readonly keys: Int32Array;
  private readonly values: (V | undefined)[];
  /** Slot count - 1 (the count is a power of two), and 32 - log2(count). */
  private readonly slotMask: number;
  private readonly shift: number;

  /** `entries`: distinct prefixes, all of `length`, each with its value. */
  constructor(readonly length: number, entries: readonly (readonly [PrefixValue, V])[]) {
    const depth = Math.max(1, Math.ceil(length / 32));
    this.depth = depth;
    this.masks = new Int32Array(depth);
    for (let d = 0; d < depth; d++) this.masks[d] = mask32(Math.min(32, Math.max(0, length - 32 * d)));
    let slots = 4;
    while (slots < 2 * entries.length) slots *= 2;
    this.slotMask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    this.keys = new Int32Array(slots * depth);
    this.values = new Array<V | undefined>(slots).fill(undefined);
    const words = new Uint32Array(4);
    for (const [prefix, value] of entries) {
      if (prefix.length !== length) throw new Error(`PrefixTable: a /${prefix.length} prefix given to the /${length} table`);
      this.put(writeWords(prefix.network, words), value);
    }
  }

  private put(words: Uint32Array, value: V): void {
    const depth = this.depth;
    let i = this.slotOf(words);
    while (this.values[i] !== undefined) {
      if (this.keyAt(i, words)) throw new Error(`PrefixTable: a /${this.length} prefix given twice`);
      i = (i + 1) & this.slotMask;
    }
    for (let d = 0; d < depth; d++) this.keys[i * depth + d] = words[d]! & this.masks[d]!;
    this.values[i] = value;
  }

  private slotOf(words: Uint32Array): number {
    let h = 0;
    for (let d = 0; d < this.depth; d++) h = Math.imul(h ^ (h >>> 16) ^ (words[d]! & this.masks[d]!), GOLDEN);
    return h >>> this.shift;
  }

  /** Does slot i hold the key of this address (masked to the length)? */
  private keyAt(i: number, words: Uint32Array): boolean {
    const depth = this.depth;
    for (let d = 0; d < depth; d++) if (this.keys[i * depth + d] !== (words[d]! & this.masks[d]!)) return false;
    return true;
  }

  /** The value of the prefix of this length that contains the address, if any. */
  get(words: Uint32Array): V | undefined {
    let i = this.slotOf(words);
    for (;;) {
      const v = this.values[i];
      if (v === undefined || this.keyAt(i, words)) return v;
      i = (i + 1) & this.slotMask;
    }
  }
}

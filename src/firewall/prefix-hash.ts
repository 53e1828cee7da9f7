/**
 * Prefixes, address first: one hash table per prefix length present, each key (the prefix)
 * holding its values in order, probed with the address masked to that length — a routing
 * table's hash per length, where a trie would chase up to 32 (IPv4) or 128 (IPv6) pointers.
 * Addresses are 32-bit words (words.ts): an IPv4 table is one level of hash, an IPv6 one a hash
 * per word the length reaches into (a /64 is two probes), so no bigint is built per lookup.
 * Tables are visited in order of the lowest order each holds, and a lookup stops as soon as no
 * table left can beat the best value found.
 */
import type { PrefixValue } from '../packet/ip-value.js';
import { mask32, wordsOf } from './words.js';

/** Nested hashes, one level per word of the prefix: the last level holds the values. */
type Level<T> = Map<number, Level<T> | T[]>;

interface Table<T> {
  readonly length: number;
  /** How many words the length reaches into (1 for lengths 0-32, 2 for 33-64, ...). */
  readonly depth: number;
  /** The mask of each of those words. */
  readonly masks: Uint32Array;
  /** The lowest order in the table. */
  min: number;
  readonly root: Level<T>;
}

/** Which of a key's values (in order) may answer: e.g. the rule's protocol part matches the packet. */
export type Accept<T, C> = (value: T, context: C) => boolean;

function tableFor<T>(length: number): Table<T> {
  const depth = Math.max(1, Math.ceil(length / 32));
  const masks = new Uint32Array(depth);
  for (let d = 0; d < depth; d++) masks[d] = mask32(Math.min(32, Math.max(0, length - 32 * d)));
  return { length, depth, masks, min: Infinity, root: new Map() };
}

export class PrefixHash<T extends { readonly order: number }> {
  private readonly tables: Table<T>[] = [];

  /** Adds a value under a prefix, keeping each key's values in order (a value given twice is kept once). */
  insert(prefix: PrefixValue, value: T): void {
    let t = this.tables.find((x) => x.length === prefix.length);
    if (!t) this.tables.push((t = tableFor<T>(prefix.length)));
    const words = wordsOf(prefix.network);
    let level = t.root;
    for (let d = 0; d < t.depth - 1; d++) {
      const key = (words[d]! & t.masks[d]!) >>> 0;
      let next = level.get(key) as Level<T> | undefined;
      if (!next) level.set(key, (next = new Map()));
      level = next;
    }
    const key = (words[t.depth - 1]! & t.masks[t.depth - 1]!) >>> 0;
    let list = level.get(key) as T[] | undefined;
    if (!list) level.set(key, (list = []));
    insertInOrder(list, value);
    if (value.order < t.min) {
      t.min = value.order;
      this.tables.sort((a, b) => a.min - b.min);
    }
  }

  /** The lowest-order accepted value under a prefix containing the address, if its order is below `bound`. */
  lookup<C>(words: Uint32Array, bound: number, accept: Accept<T, C>, context: C): T | undefined {
    let best: T | undefined;
    for (const t of this.tables) {
      if (t.min >= bound) break;
      let found: Level<T> | T[] | undefined = t.root;
      for (let d = 0; d < t.depth && found !== undefined; d++) found = (found as Level<T>).get((words[d]! & t.masks[d]!) >>> 0);
      if (found === undefined) continue;
      const v = firstAccepted(found as T[], bound, accept, context);
      if (v !== undefined) {
        best = v;
        bound = v.order;
      }
    }
    return best;
  }
}

/** Inserts in order; the same value twice (a group member listed twice) is kept once. */
export function insertInOrder<T extends { readonly order: number }>(list: T[], value: T): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.order > value.order) i--;
  if (list[i - 1] !== value && list[i] !== value) list.splice(i, 0, value);
}

/** The first accepted value of an ordered list, if its order is below `bound`. */
export function firstAccepted<T extends { readonly order: number }, C>(list: readonly T[], bound: number, accept: Accept<T, C>, context: C): T | undefined {
  for (const v of list) {
    if (v.order >= bound) return undefined;
    if (accept(v, context)) return v;
  }
  return undefined;
}

/**
 * IPv4 prefixes for "which rules' prefixes contain this address": one hash table per prefix
 * length present, probed with the address masked to that length (a routing table's
 * hash-per-length, where a trie would chase up to 32 pointers). Tables are visited in order of
 * the lowest rule order each holds, so a lookup stops as soon as no table left can beat the best
 * rule found; a port's rules use a handful of lengths, so a lookup costs a few probes.
 */
import type { PrefixValue } from '../packet/ip-value.js';
import { mask32 } from './words.js';

interface Table<T> {
  readonly length: number;
  readonly mask: number;
  /** The lowest order in the table. */
  min: number;
  readonly map: Map<number, T>;
}

export class PrefixHash<T extends { readonly order: number }> {
  private readonly tables: Table<T>[] = [];

  insert(prefix: PrefixValue, value: T): void {
    let t = this.tables.find((x) => x.length === prefix.length);
    if (!t) this.tables.push((t = { length: prefix.length, mask: mask32(prefix.length), min: Infinity, map: new Map() }));
    const key = ((prefix.network as number) & t.mask) >>> 0;
    const held = t.map.get(key);
    if (!held || value.order < held.order) t.map.set(key, value);
    if (value.order < t.min) {
      t.min = value.order;
      this.tables.sort((a, b) => a.min - b.min);
    }
  }

  /** The first (lowest order) value whose prefix contains `addr`, if its order is below `bound`. */
  lookup(addr: number, bound: number): T | undefined {
    let best: T | undefined;
    for (const t of this.tables) {
      if (t.min >= bound) break;
      const v = t.map.get((addr & t.mask) >>> 0);
      if (v !== undefined && v.order < bound) {
        best = v;
        bound = v.order;
      }
    }
    return best;
  }
}

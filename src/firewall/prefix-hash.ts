/**
 * Prefixes, address first: one hash table per prefix length present (prefix-table.ts), probed
 * with the address masked to that length — a routing table's hash per length, where a trie would
 * chase up to 32 (IPv4) or 128 (IPv6) pointers. Each prefix holds one value: the candidates it
 * leads to, with the lowest order among them. Tables are visited in order of the lowest order
 * each holds, and a lookup stops as soon as no table left can beat the best answer found.
 * With many keys, a length filter (length-filter.ts) skips the tables that hold no prefix
 * near the address: most addresses then probe one or two tables, not one per length.
 */
import type { IpValue, PrefixValue } from '../packet/ip-value.js';
import { LengthFilter } from './length-filter.js';
import { PrefixTable } from './prefix-table.js';

/** From this many keys on, the filter's 64 KB cost less than the probes they save (firewall bench). */
export const FILTERED_KEYS = 1024;

/** What a prefix leads to: its lowest order, and its first answer for a packet below a bound. */
export interface PrefixCandidates<C, A extends { readonly order: number }> {
  readonly min: number;
  first(context: C, bound: number): A | undefined;
}

interface Table<V> {
  readonly table: PrefixTable<V>;
  /** The lowest order of the table's values. */
  readonly min: number;
}

export class PrefixHash<C, A extends { readonly order: number }, V extends PrefixCandidates<C, A>> {
  private readonly tables: readonly Table<V>[];
  private readonly filter: LengthFilter | undefined;

  /** `entries`: distinct prefixes (of any lengths, one IP version), each with its value; from `filteredKeys` keys on, with the length filter. */
  constructor(entries: Iterable<readonly [PrefixValue, V]>, filteredKeys = FILTERED_KEYS) {
    const byLength = new Map<number, [PrefixValue, V][]>();
    for (const e of entries) {
      let list = byLength.get(e[0].length);
      if (!list) byLength.set(e[0].length, (list = []));
      list.push([e[0], e[1]]);
    }
    this.tables = [...byLength].map(([length, list]) => ({ table: new PrefixTable(length, list), min: list.reduce((m, [, v]) => Math.min(m, v.min), Infinity) }))
      .sort((a, b) => a.min - b.min || a.table.length - b.table.length);
    let keys = 0;
    for (const list of byLength.values()) keys += list.length;
    this.filter = keys >= filteredKeys && this.tables.length > 1 ? filterOf(this.tables.map((t) => t.table.length), byLength) : undefined;
  }

  /** Whether lookups go through the length filter (from `filteredKeys` keys over two lengths or more). */
  get filtered(): boolean {
    return this.filter !== undefined;
  }

  /** The lowest-order answer among the prefixes containing the address (as words.ts words), if its order is below `bound`. */
  lookup(words: Uint32Array, bound: number, context: C): A | undefined {
    let best: A | undefined;
    const tables = this.tables;
    const near = this.filter === undefined ? -1 : this.filter.near(words[0]!);
    for (let i = 0; i < tables.length; i++) {
      const t = tables[i]!;
      if (t.min >= bound) break;
      if (((near >> i) & 1) === 0 && i < 8) continue;
      const v = t.table.get(words);
      if (v === undefined) continue;
      const a = v.first(context, bound);
      if (a !== undefined) {
        best = a;
        bound = a.order;
      }
    }
    return best;
  }
}

/** The filter over the tables' keys, their bits in visiting order. */
function filterOf<V>(lengths: readonly number[], byLength: ReadonlyMap<number, readonly (readonly [PrefixValue, V])[]>): LengthFilter {
  const keys = lengths.slice(0, 8).map((length) => byLength.get(length)!.map(([p]) => firstWord(p.network)));
  return new LengthFilter(lengths.slice(0, 8), keys);
}

/** An address's first word (words.ts): IPv4 itself, IPv6 its top 32 bits. */
const firstWord = (a: IpValue): number => (typeof a === 'number' ? a : Number(a >> 96n));

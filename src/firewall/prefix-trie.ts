/**
 * A binary trie over IPv6 address bits for "which rules' prefixes contain this address",
 * keeping at each prefix only the rule first in union order. Bits are read from the address's
 * four 32-bit words (computed once per lookup, words.ts), not from the bigint, which would
 * allocate at every bit. A walk stops at the first missing child, so a lookup costs about the
 * depth where the address leaves every stored prefix, at most 128 steps.
 */
import type { PrefixValue } from '../packet/ip-value.js';
import { bitOf, wordsOf } from './words.js';

interface TrieNode<T> {
  zero?: TrieNode<T>;
  one?: TrieNode<T>;
  value?: T;
  /** The lowest order stored at or below this node: a walk stops once nothing below can win. */
  min: number;
}

export class PrefixTrie<T extends { readonly order: number }> {
  private readonly root: TrieNode<T> = { min: Infinity };

  insert(prefix: PrefixValue, value: T): void {
    const words = wordsOf(prefix.network);
    let node = this.root;
    node.min = Math.min(node.min, value.order);
    for (let i = 0; i < prefix.length; i++) {
      node = bitOf(words, i) ? (node.one ??= { min: Infinity }) : (node.zero ??= { min: Infinity });
      node.min = Math.min(node.min, value.order);
    }
    if (!node.value || value.order < node.value.order) node.value = value;
  }

  /** The first (lowest order) value whose prefix contains the address, if its order is below `bound`. */
  lookup(words: Uint32Array, bound: number): T | undefined {
    let node: TrieNode<T> | undefined = this.root;
    let best: T | undefined;
    for (let i = 0; node && node.min < bound; i++) {
      if (node.value && node.value.order < bound) {
        best = node.value;
        bound = best.order;
      }
      if (i === 128) break;
      node = bitOf(words, i) ? node.one : node.zero;
    }
    return best;
  }
}

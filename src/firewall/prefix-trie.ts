/**
 * A binary trie over address bits for "which rules' prefixes contain this address", keeping at
 * each prefix only the rule that comes first in union order. A lookup walks at most 32 (IPv4)
 * or 128 (IPv6) nodes, however many prefixes there are.
 */
import type { IpValue, PrefixValue } from '../packet/ip-value.js';

interface TrieNode<T> {
  zero?: TrieNode<T>;
  one?: TrieNode<T>;
  value?: T;
}

export class PrefixTrie<T extends { readonly order: number }> {
  private readonly root: TrieNode<T> = {};

  constructor(private readonly bits: 32 | 128) {}

  insert(prefix: PrefixValue, value: T): void {
    let node = this.root;
    for (let i = 0; i < prefix.length; i++) {
      const bit = this.bitAt(prefix.network, i);
      const next = bit ? (node.one ??= {}) : (node.zero ??= {});
      node = next;
    }
    if (!node.value || value.order < node.value.order) node.value = value;
  }

  /** The first (lowest order) value whose prefix contains `addr`. */
  lookup(addr: IpValue): T | undefined {
    let node: TrieNode<T> | undefined = this.root;
    let best: T | undefined;
    for (let i = 0; node; i++) {
      if (node.value && (!best || node.value.order < best.order)) best = node.value;
      if (i === this.bits) break;
      node = this.bitAt(addr, i) ? node.one : node.zero;
    }
    return best;
  }

  private bitAt(a: IpValue, i: number): boolean {
    if (typeof a === 'number') return ((a >>> (31 - i)) & 1) === 1;
    return ((a >> BigInt(127 - i)) & 1n) === 1n;
  }
}

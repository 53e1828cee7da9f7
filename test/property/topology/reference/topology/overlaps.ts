/**
 * Which prefixes of a list overlap an earlier one, in O(n log n) rather than by comparing every
 * pair (1,000 equal subnets were 499,500 pairs and as many errors). Two CIDRs overlap only when
 * one contains the other, so in address order they form a forest: a sweep with a stack of the
 * enclosing prefixes finds each prefix's earliest (in list order) ancestor and descendant.
 */
import { cidrLast, type Cidr } from '../address/cidr.js';

/** For each index, the smallest earlier index whose prefix overlaps it, or undefined. */
export function earliestOverlaps(cidrs: readonly Cidr[]): (number | undefined)[] {
  const order = cidrs.map((_, i) => i).sort((a, b) => {
    const x = cidrs[a]!;
    const y = cidrs[b]!;
    // Equal prefixes: the earlier in the list encloses the later.
    return x.version - y.version || (x.network < y.network ? -1 : x.network > y.network ? 1 : 0) || x.prefix - y.prefix || a - b;
  });
  /** Per index: the smallest index among its ancestors, and among its descendants. */
  const above = new Array<number>(cidrs.length).fill(Infinity);
  const below = new Array<number>(cidrs.length).fill(Infinity);
  const stack: { index: number; last: bigint; version: number; aboveIncl: number }[] = [];
  const pop = (): void => {
    const done = stack.pop()!;
    const parent = stack[stack.length - 1];
    if (parent) below[parent.index] = Math.min(below[parent.index]!, done.index, below[done.index]!);
  };
  for (const i of order) {
    const c = cidrs[i]!;
    while (stack.length > 0 && (stack[stack.length - 1]!.version !== c.version || stack[stack.length - 1]!.last < c.network)) pop();
    const parent = stack[stack.length - 1];
    above[i] = parent ? parent.aboveIncl : Infinity;
    stack.push({ index: i, last: cidrLast(c), version: c.version, aboveIncl: Math.min(above[i]!, i) });
  }
  while (stack.length > 0) pop();
  return cidrs.map((_, i) => {
    const first = Math.min(above[i]!, below[i]!);
    return first < i ? first : undefined;
  });
}

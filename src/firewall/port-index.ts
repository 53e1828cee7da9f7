/**
 * Rules open to any remote, by destination port (TCP or UDP): a rule for every port is one slot;
 * a rule for one port sits in a hash by port; a range covers elementary segments, each holding
 * only the first rule covering it (binary search on the packet's port). Every leaf is one rule,
 * so a lookup is a hash probe and a binary search, whatever the rule count.
 */
import type { MatchRule } from './rule.js';

const earlier = (a: MatchRule | undefined, b: MatchRule | undefined): MatchRule | undefined => (!a ? b : !b ? a : a.order <= b.order ? a : b);

export class PortIndex {
  private allPorts: MatchRule | undefined;
  private readonly exact = new Map<number, MatchRule>();
  private readonly ranged: MatchRule[] = [];
  /** Segment i covers ports starts[i] .. starts[i + 1] - 1; firsts[i] is the first rule covering it. */
  private starts = new Int32Array(0);
  private firsts: (MatchRule | undefined)[] = [];

  add(r: MatchRule): void {
    if (r.portFrom <= 0 && r.portTo >= 65535) this.allPorts = earlier(this.allPorts, r);
    else if (r.portFrom === r.portTo) this.exact.set(r.portFrom, earlier(this.exact.get(r.portFrom), r)!);
    else this.ranged.push(r);
  }

  /** Cuts the ranges into segments; called once, after every add. */
  build(): void {
    if (this.ranged.length === 0) return;
    const cuts = new Set<number>([0]);
    for (const r of this.ranged) {
      cuts.add(r.portFrom);
      if (r.portTo < 65535) cuts.add(r.portTo + 1);
    }
    this.starts = Int32Array.from([...cuts].sort((a, b) => a - b));
    this.firsts = new Array<MatchRule | undefined>(this.starts.length).fill(undefined);
    for (const r of this.ranged) {
      for (let i = this.segmentOf(r.portFrom); i < this.starts.length && this.starts[i]! <= r.portTo; i++) this.firsts[i] = earlier(this.firsts[i], r);
    }
  }

  private segmentOf(port: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= port) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The first rule for this port. */
  lookup(port: number): MatchRule | undefined {
    const ranged = this.starts.length ? this.firsts[this.segmentOf(port)] : undefined;
    return earlier(earlier(this.allPorts, this.exact.get(port)), ranged);
  }
}

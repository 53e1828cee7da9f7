/**
 * TCP or UDP rules by destination port. A rule for every port sits in one remote index; a rule
 * for one port in a hash by port; a rule for a range in the elementary segments its range
 * covers (binary search on the packet's port). Segments covered by the same rules share one
 * remote index, so a range is not copied into every segment it spans, as nftables' interval
 * sets share their elements.
 */
import type { GroupMembers, MatchRule } from './rule.js';
import { RemoteIndex, type RemoteKey } from './remote-index.js';

export class PortIndex {
  private readonly allPorts: RemoteIndex;
  private readonly exact = new Map<number, RemoteIndex>();
  private readonly ranged: MatchRule[] = [];
  /** Segment i covers ports starts[i] .. starts[i + 1] - 1. */
  private starts = new Int32Array(0);
  private segments: (RemoteIndex | undefined)[] = [];

  constructor(private readonly version: 4 | 6) {
    this.allPorts = new RemoteIndex(version);
  }

  add(r: MatchRule, members: GroupMembers): void {
    if (r.portFrom <= 0 && r.portTo >= 65535) this.allPorts.add(r, members);
    else if (r.portFrom === r.portTo) {
      let idx = this.exact.get(r.portFrom);
      if (!idx) this.exact.set(r.portFrom, (idx = new RemoteIndex(this.version)));
      idx.add(r, members);
    } else this.ranged.push(r);
  }

  /** Cuts the ranges into segments; called once, after every add. */
  build(members: GroupMembers): void {
    if (this.ranged.length === 0) return;
    const cuts = new Set<number>([0]);
    for (const r of this.ranged) {
      cuts.add(r.portFrom);
      if (r.portTo < 65535) cuts.add(r.portTo + 1);
    }
    this.starts = Int32Array.from([...cuts].sort((a, b) => a - b));
    const covering: MatchRule[][] = Array.from({ length: this.starts.length }, () => []);
    for (const r of this.ranged) {
      for (let i = this.segmentOf(r.portFrom); i < this.starts.length && this.starts[i]! <= r.portTo; i++) covering[i]!.push(r);
    }
    // One remote index per distinct set of covering rules (its orders, ascending, are its key).
    const shared = new Map<string, RemoteIndex>();
    this.segments = covering.map((rules) => {
      if (rules.length === 0) return undefined;
      const key = rules.map((r) => r.order).sort((a, b) => a - b).join(',');
      let idx = shared.get(key);
      if (!idx) {
        shared.set(key, (idx = new RemoteIndex(this.version)));
        for (const r of rules) idx.add(r, members);
      }
      return idx;
    });
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

  /** The first rule for this port whose remote contains key.addr, if its order is below `bound`. */
  lookup(port: number, key: RemoteKey, bound: number): MatchRule | undefined {
    let best = this.exact.get(port)?.lookup(key, bound);
    if (best) bound = best.order;
    if (this.starts.length) {
      const r = this.segments[this.segmentOf(port)]?.lookup(key, bound);
      if (r) {
        best = r;
        bound = r.order;
      }
    }
    return this.allPorts.lookup(key, bound) ?? best;
  }
}

/**
 * Longest-prefix match (RFC 1812 §5.2.4.3) over IPv4 and IPv6 routes. Routes are grouped by
 * prefix length, each group a Map from network to route, probed from the longest length down:
 * a lookup costs one Map probe per distinct prefix length, however many routes there are.
 */
import type { IpValue, PrefixValue } from '../packet/ip-value.js';

const ALL_ONES = (1n << 128n) - 1n;
const V6_MASKS: bigint[] = Array.from({ length: 129 }, (_, len) => ALL_ONES ^ ((1n << BigInt(128 - len)) - 1n));

export interface Route {
  readonly prefix: PrefixValue;
  /** Where the route sends packets: an interface (port id) and a next hop (null = on-link). */
  readonly port: string;
  readonly nexthop: IpValue | null;
  readonly kind: 'connected' | 'static' | 'default' | 'host';
  /** `10.0.1.0/24 connected via qr-db`: how traces name it. */
  readonly text: string;
}

export class RouteTable {
  private readonly v4 = new Map<number, Map<IpValue, Route>>();
  private readonly v6 = new Map<number, Map<IpValue, Route>>();
  private lengths4: number[] = [];
  private lengths6: number[] = [];
  readonly all: Route[] = [];

  /** Adds a route; a second route to the same prefix does not replace the first (connected wins). */
  add(route: Route): void {
    const v4 = typeof route.prefix.network === 'number';
    const groups = v4 ? this.v4 : this.v6;
    let group = groups.get(route.prefix.length);
    if (!group) {
      groups.set(route.prefix.length, (group = new Map()));
      const lengths = [...groups.keys()].sort((a, b) => b - a);
      if (v4) this.lengths4 = lengths;
      else this.lengths6 = lengths;
    }
    if (group.has(route.prefix.network)) return;
    group.set(route.prefix.network, route);
    this.all.push(route);
  }

  lookup(dst: IpValue): Route | undefined {
    if (typeof dst === 'number') {
      for (const len of this.lengths4) {
        const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
        const r = this.v4.get(len)!.get((dst & mask) >>> 0);
        if (r) return r;
      }
      return undefined;
    }
    for (const len of this.lengths6) {
      const r = this.v6.get(len)!.get(dst & V6_MASKS[len]!);
      if (r) return r;
    }
    return undefined;
  }
}

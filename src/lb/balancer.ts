/**
 * One load balancer's state and decisions (Octavia's model, OVN's behaviour): listeners map
 * (protocol, port) to pools; a pool picks a member among those that are admin-up, have weight
 * and are healthy. Algorithms, all deterministic:
 * - round_robin: smooth weighted round robin (nginx's), so weights 2:1 give a, b, a, a, b, a …
 * - least_connections: the member with the fewest connections per unit of weight, ties to the
 *   first listed;
 * - source_ip / source_ip_port: the kernel's jhash over the client address (and port), scaled
 *   to the total weight of the healthy members as nftables' `jhash … mod N` does, and walked in
 *   member order; a realization in Linux hashes the same way and picks the same member.
 * A connection keeps its member (affinity): the caller records the choice in conntrack.
 */
import { formatIpValue, type IpValue } from '../packet/ip-value.js';
import type { Flow } from '../packet/flow.js';
import type { LoadBalancer, LbPool, PoolMember } from '../topology/model.js';
import { nftJhashBucket, VNET_JHASH_SEED } from './jhash.js';

export type MemberHealth = 'up' | 'down';

export interface MemberState {
  readonly member: PoolMember;
  readonly address: IpValue;
  health: MemberHealth;
  /** Consecutive failed and successful checks, for retries / retries_down. */
  failures: number;
  successes: number;
  connections: number;
  /** Smooth weighted round robin's running weight. */
  current: number;
}

export interface PoolState {
  readonly pool: LbPool;
  readonly members: MemberState[];
}

export type Choice =
  | { readonly ok: true; readonly member: MemberState; readonly why: string }
  | { readonly ok: false; readonly reason: string };

export class Balancer {
  readonly pools = new Map<string, PoolState>();

  constructor(readonly lb: LoadBalancer, readonly vip: IpValue, addressOf: (m: PoolMember) => IpValue) {
    for (const pool of lb.pools) {
      // Without a health monitor a member counts as up, as in Octavia (operating status NO_MONITOR).
      this.pools.set(pool.name, { pool, members: pool.members.map((member) => ({ member, address: addressOf(member), health: 'up', failures: 0, successes: 0, connections: 0, current: 0 })) });
    }
  }

  /** The pool behind a listener on (protocol, port), if any. */
  listenerPool(proto: 'tcp' | 'udp', port: number): PoolState | undefined {
    const l = this.lb.listeners.find((x) => (x.protocol === 'udp' ? 'udp' : 'tcp') === proto && x.port === port);
    return l ? this.pools.get(l.pool) : undefined;
  }

  /** A member for a new connection (`flow`: the client's, to the VIP), or why there is none. */
  pick(pool: PoolState, flow: Pick<Flow, 'src' | 'sport'>): Choice {
    const client = flow.src;
    const clientPort = flow.sport;
    const eligible = pool.members.filter((m) => m.member.adminStateUp && m.member.weight > 0 && m.health === 'up');
    if (eligible.length === 0) {
      const down = pool.members.filter((m) => m.health === 'down').map((m) => m.member.instance);
      return { ok: false, reason: `no healthy member in pool ${pool.pool.name}${down.length ? ` (down: ${down.join(', ')})` : ''}` };
    }
    const algo = pool.pool.algorithm;
    if (algo === 'round_robin') {
      const total = eligible.reduce((s, m) => s + m.member.weight, 0);
      let best = eligible[0]!;
      for (const m of eligible) {
        m.current += m.member.weight;
        if (m.current > best.current) best = m;
      }
      best.current -= total;
      return { ok: true, member: best, why: 'next in weighted round robin' };
    }
    if (algo === 'least_connections') {
      let best = eligible[0]!;
      for (const m of eligible) if (m.connections / m.member.weight < best.connections / best.member.weight) best = m;
      return { ok: true, member: best, why: `fewest connections (${best.connections})` };
    }
    const byPort = algo === 'source_ip_port';
    const total = eligible.reduce((s, m) => s + m.member.weight, 0);
    let slot = nftJhashBucket(VNET_JHASH_SEED, total, client, byPort ? clientPort : undefined);
    const why = `jhash of ${formatIpValue(client)}${byPort ? `:${clientPort}` : ''} mod ${total} = ${slot}`;
    for (const m of eligible) {
      if (slot < m.member.weight) return { ok: true, member: m, why };
      slot -= m.member.weight;
    }
    return { ok: true, member: eligible[0]!, why };
  }
}

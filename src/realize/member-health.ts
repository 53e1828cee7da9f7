/**
 * Which load-balancer members the realization leaves out: the ones vnet's health monitors mark
 * down (a stopped service, a security group that drops the checks), as Octavia takes a member
 * that fails its monitor out of rotation. The kernel runs no monitor of its own, so the answer
 * is vnet's, computed at plan time: a simulator is built from the cloud (its monitors settle
 * before it answers) and its member health read. Deterministic, like everything the plan holds.
 */
import { Simulator } from '../engine/simulator.js';
import type { Cloud, LbPool, LoadBalancer, PoolMember } from '../topology/model.js';

export interface DownMember {
  readonly lb: string;
  readonly pool: string;
  readonly member: PoolMember;
  /** Consecutive failed checks when the monitor settled. */
  readonly failures: number;
}

/** Members that vnet's health monitors mark down, in topology order; none when no pool has a monitor. */
export function downMembers(cloud: Cloud): DownMember[] {
  const monitored = [...cloud.loadBalancers.values()].some((lb) => lb.pools.some((p) => p.healthMonitor !== null));
  if (!monitored) return [];
  const health = new Simulator(cloud).memberHealth();
  const out: DownMember[] = [];
  for (const lb of cloud.loadBalancers.values()) {
    for (const pool of lb.pools) {
      // memberHealth lists a pool's members in the pool's order.
      const states = health.filter((h) => h.lb === lb.name && h.pool === pool.name);
      pool.members.forEach((member, i) => {
        const state = states[i];
        if (state?.health === 'down' && state.member === member.instance) out.push({ lb: lb.name, pool: pool.name, member, failures: state.failures });
      });
    }
  }
  return out;
}

/** The members of one pool that are down, for the balance map. */
export function downIn(down: readonly DownMember[], lb: LoadBalancer, pool: LbPool): ReadonlySet<PoolMember> {
  return new Set(down.filter((d) => d.lb === lb.name && d.pool === pool.name).map((d) => d.member));
}

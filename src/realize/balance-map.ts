/**
 * A pool's member choice as an nftables map expression for DNAT. Round robin walks one cycle of
 * the smooth weighted sequence vnet's balancer uses (src/lb/balancer.ts), so the kernel picks
 * members in the same order; the hashes use `jhash` with a fixed seed (not vnet's FNV-1a: same
 * spread, different members); least_connections has no nftables form and falls back to the
 * round-robin cycle. Members that are admin-down, have no weight, or that vnet's health monitors
 * mark down (member-health.ts) are left out.
 */
import type { LbPool, PoolMember } from '../topology/model.js';

/** The seed of every `jhash` (fixed, so a realization is reproducible). */
export const JHASH_SEED = '0x766e6574';

/** The members in the order smooth weighted round robin picks them over one cycle. */
export function roundRobinCycle(members: readonly PoolMember[]): PoolMember[] {
  const live = members.filter((m) => m.adminStateUp && m.weight > 0);
  const total = live.reduce((s, m) => s + m.weight, 0);
  const current = live.map(() => 0);
  const cycle: PoolMember[] = [];
  for (let step = 0; step < total; step++) {
    let best = 0;
    live.forEach((m, i) => {
      current[i]! += m.weight;
      if (current[i]! > current[best]!) best = i;
    });
    current[best]! -= total;
    cycle.push(live[best]!);
  }
  return cycle;
}

/** `numgen inc mod 2 map { 0 : 10.0.0.2 . 80, 1 : … }`, or null when no member can serve. */
export function memberMap(pool: LbPool, down: ReadonlySet<PoolMember> = new Set(), family: 4 | 6 = 4): string | null {
  const cycle = roundRobinCycle(pool.members.filter((m) => !down.has(m)));
  if (cycle.length === 0) return null;
  const entries = cycle.map((m, i) => `${i} : ${m.address.text} . ${m.protocolPort}`).join(', ');
  const ip = family === 4 ? 'ip' : 'ip6';
  const pick = pool.algorithm === 'source_ip' ? `jhash ${ip} saddr mod ${cycle.length} seed ${JHASH_SEED}`
    : pool.algorithm === 'source_ip_port' ? `jhash ${ip} saddr . th sport mod ${cycle.length} seed ${JHASH_SEED}`
      : `numgen inc mod ${cycle.length}`;
  return `${pick} map { ${entries} }`;
}

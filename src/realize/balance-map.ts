/**
 * A pool's member choice as an nftables map expression for DNAT, made to pick what vnet's
 * balancer (src/lb/balancer.ts) picks. Round robin walks one cycle of the smooth weighted
 * sequence, so the kernel picks members in the same order. The hashes are the same function:
 * `jhash … mod <total weight>` with vnet's seed, buckets given to members in member order, each
 * as many as its weight. least_connections has no nftables form and falls back to the
 * round-robin cycle. Members that are admin-down, have no weight, or that vnet's health monitors
 * mark down (member-health.ts) are left out.
 */
import { VNET_JHASH_SEED } from '../lb/jhash.js';
import type { LbPool, PoolMember } from '../topology/model.js';

/** The seed of every `jhash` (fixed, so a realization is reproducible, and vnet's own). */
export const JHASH_SEED = `0x${VNET_JHASH_SEED.toString(16)}`;

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

/** The hash buckets' members: each live member as many times as its weight, in member order. */
export function weightedBuckets(members: readonly PoolMember[]): PoolMember[] {
  return members.filter((m) => m.adminStateUp && m.weight > 0).flatMap((m) => Array.from({ length: m.weight }, () => m));
}

/**
 * The DNAT target: `numgen inc mod 2 map { 0 : 10.0.0.2 . 80, 1 : … }`, `jhash ip saddr mod 3
 * seed … map { … }`, or `10.0.0.2:80` (`[2001:db8::2]:80`) alone for a single member (nftables
 * refuses a hash modulo 1); null when no member can serve.
 */
export function memberMap(pool: LbPool, down: ReadonlySet<PoolMember> = new Set(), family: 4 | 6 = 4): string | null {
  const up = pool.members.filter((m) => !down.has(m));
  const hashed = pool.algorithm === 'source_ip' || pool.algorithm === 'source_ip_port';
  const slots = hashed ? weightedBuckets(up) : roundRobinCycle(up);
  if (slots.length === 0) return null;
  if (new Set(slots).size === 1) return family === 4 ? `${slots[0]!.address.text}:${slots[0]!.protocolPort}` : `[${slots[0]!.address.text}]:${slots[0]!.protocolPort}`;
  const entries = slots.map((m, i) => `${i} : ${m.address.text} . ${m.protocolPort}`).join(', ');
  const ip = family === 4 ? 'ip' : 'ip6';
  const pick = pool.algorithm === 'source_ip' ? `jhash ${ip} saddr mod ${slots.length} seed ${JHASH_SEED}`
    : pool.algorithm === 'source_ip_port' ? `jhash ${ip} saddr . th sport mod ${slots.length} seed ${JHASH_SEED}`
      : `numgen inc mod ${slots.length}`;
  return `${pick} map { ${entries} }`;
}

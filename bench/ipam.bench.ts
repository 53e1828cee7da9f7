/**
 * IPAM benchmark: allocation/release throughput on a /16 and the heap cost of a /8 allocator
 * against a naive Set<bigint> of free addresses, to show that pools cost memory per interval
 * and per allocation, never per address (DESIGN §5 "Scale"). Called by the lead's bench runner.
 * Heap numbers are exact with `node --expose-gc`, approximate without it.
 */
import { performance } from 'node:perf_hooks';
import { parseCidr } from '../src/address/cidr.js';
import type { Ip } from '../src/address/ip.js';
import { SubnetAllocator } from '../src/ipam/subnet-allocator.js';
import { planSubnet, type SubnetPlan } from '../src/ipam/subnet-plan.js';
import { createRng } from '../src/util/rng.js';
import { heapMeasure, heapUsed } from './measure.js';

function plan(text: string): SubnetPlan {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`bench: bad CIDR ${text}`);
  const r = planSubnet({ cidr: parsed.cidr, profile: 'openstack' });
  if (!r.ok) throw new Error(`bench: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.plan;
}


const opsPerSecond = (ops: number, ms: number): number => Math.round(ops / (ms / 1000));

export async function benchIpam(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = { heap_measure: heapMeasure() };
  // Throughput first, in its own scope: its arrays must be garbage before memory is measured.
  Object.assign(out, throughput());
  Object.assign(out, memory());
  return out;
}

function throughput(): Record<string, number | string> {
  const out: Record<string, number | string> = {};

  // Throughput: every address of a /16, lowest-first, then release in allocation order.
  const plan16 = plan('10.0.0.0/16');
  const a16 = new SubnetAllocator(plan16);
  const taken: Ip[] = [];
  let t0 = performance.now();
  for (let r = a16.allocate('bench'); r.ok; r = a16.allocate('bench')) taken.push(r.ip);
  let t1 = performance.now();
  out.slash16_addresses = taken.length;
  out.slash16_allocate_lowest_ops_per_s = opsPerSecond(taken.length, t1 - t0);
  t0 = performance.now();
  for (const ip of taken) a16.release(ip);
  t1 = performance.now();
  out.slash16_release_in_order_ops_per_s = opsPerSecond(taken.length, t1 - t0);
  out.slash16_restored = a16.freeIntervals().length === plan16.pools.length && a16.freeInPools() === plan16.capacity ? 'yes' : 'NO';

  // Release in a scattered order: the worst case for an array-backed interval set (many intervals).
  for (let r = a16.allocate('bench'); r.ok; r = a16.allocate('bench'));
  const rng = createRng(1);
  const shuffled = [...taken];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j] as Ip, shuffled[i] as Ip];
  }
  t0 = performance.now();
  for (const ip of shuffled) a16.release(ip);
  t1 = performance.now();
  out.slash16_release_shuffled_ops_per_s = opsPerSecond(shuffled.length, t1 - t0);

  // Neutron's strategy lists a 1,000-address window per allocation.
  const neutron = new SubnetAllocator(plan16);
  const nrng = createRng(7);
  const neutronOps = 5000;
  t0 = performance.now();
  for (let i = 0; i < neutronOps; i++) neutron.allocate('bench', 'neutron', nrng);
  t1 = performance.now();
  out.slash16_allocate_neutron_ops_per_s = opsPerSecond(neutronOps, t1 - t0);
  return out;
}

function memory(): Record<string, number> {
  const out: Record<string, number> = {};

  // Memory: a /8 allocator (16.7 M addresses) after 10,000 allocations.
  const plan8 = plan('10.0.0.0/8');
  let before = heapUsed();
  const a8 = new SubnetAllocator(plan8);
  for (let i = 0; i < 10_000; i++) a8.allocate(`port-${i}`);
  let after = heapUsed();
  out.slash8_10k_allocations_heap_bytes = after - before;
  out.slash8_free_intervals = a8.freeIntervals().length;

  // Baseline: the naive alternative, a Set of every free address, for a /16 (large enough that
  // the collector's own noise, some hundreds of KB, does not swamp it).
  const plan20 = plan('10.0.0.0/16');
  before = heapUsed();
  const naive = new Set<bigint>();
  for (const p of plan20.pools) for (let v = p.start.value; v <= p.end.value; v++) naive.add(v);
  after = heapUsed();
  const naiveBytes = after - before;
  out.naive_set_slash16_addresses = naive.size;
  out.naive_set_slash16_heap_bytes = naiveBytes;
  out.naive_set_bytes_per_address = Math.round(naiveBytes / naive.size);
  // A naive /8 would be 256 times the /16.
  out.naive_set_slash8_extrapolated_bytes = naiveBytes * 256;
  out.naive_slash8_over_allocator_slash8 = Math.round((naiveBytes * 256) / Math.max(1, out.slash8_10k_allocations_heap_bytes));

  // Keep both alive until measured.
  if (a8.used() < 0 || naive.size < 0) out.unreachable = -1;
  return out;
}

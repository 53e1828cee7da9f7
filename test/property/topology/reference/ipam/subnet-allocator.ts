/**
 * Address allocation inside one planned subnet: pool addresses for ordinary ports, fixed IPs
 * claimed by name, release. Invariant: an address is free (in `free`, hence in a pool) or owned
 * (in `owners`), never both; reserved addresses are never owned, and the gateway only once (by a
 * port's claim or a router's claimGateway). Semantics: Neutron's NeutronDbSubnet
 * (neutron/ipam/drivers/neutrondb_ipam/driver.py): _generate_ips for the random window,
 * _verify_ip / check_subnet_ip for fixed IPs.
 */
import { cidrContains, cidrFirst, formatCidr } from '../../../../../src/address/cidr.js';
import { compareIp, formatIp, type Ip } from '../../../../../src/address/ip.js';
import type { Rng } from '../../../../../src/util/rng.js';
import { IntervalSet, type Interval } from '../../../../../src/ipam/interval-set.js';
import { ipamError, type IpamError } from '../../../../../src/ipam/ipam-error.js';
import { describeReserved, type SubnetPlan } from '../../../../../src/ipam/subnet-plan.js';

export type AllocStrategy = 'lowest' | 'neutron';
export type AllocResult = { ok: true; ip: Ip } | { ok: false; error: IpamError };

/** Neutron's MAX_WIN: ordinary ports get a random pick among the first 1,000 free addresses. */
export const NEUTRON_WINDOW = 1000;

export class SubnetAllocator {
  readonly plan: SubnetPlan;
  /** Number of addresses in the pools. */
  readonly capacity: bigint;
  private readonly free: IntervalSet;
  /** The plan's pools, sorted and disjoint, kept apart because Neutron's window is per pool. */
  private readonly pools: readonly Interval[];
  private readonly reserved: ReadonlySet<bigint>;
  private readonly gateway: bigint | null;
  // Keyed by value: memory grows with allocations, never with the size of the pools.
  private readonly owners = new Map<bigint, string>();

  constructor(plan: SubnetPlan) {
    this.plan = plan;
    this.pools = plan.pools
      .map((p) => ({ lo: p.start.value, hi: p.end.value }))
      .sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    this.free = IntervalSet.of(this.pools);
    this.capacity = this.free.size();
    this.reserved = new Set(plan.reserved.map((ip) => ip.value));
    this.gateway = plan.gateway === null ? null : plan.gateway.value;
  }

  /**
   * Gives `owner` a free pool address. 'lowest' is vnet's default, stable under edits elsewhere;
   * 'neutron' reproduces _generate_ips and needs the topology's seeded `rng`.
   */
  allocate(owner: string, strategy: AllocStrategy = 'lowest', rng?: Rng): AllocResult {
    if (strategy === 'lowest') {
      const lowest = this.free.shift();
      if (lowest === undefined) return { ok: false, error: this.exhausted() };
      this.owners.set(lowest, owner);
      return { ok: true, ip: this.ipOf(lowest) };
    }
    const value = this.pickLikeNeutron(rng);
    if (value === undefined) return { ok: false, error: this.exhausted() };
    this.free.remove(value, value);
    this.owners.set(value, owner);
    return { ok: true, ip: this.ipOf(value) };
  }

  /**
   * Takes a fixed IP. As in Neutron it may lie outside the pools (that is what pools are for:
   * keeping dynamic allocation away from addresses handed out by hand), but not outside the CIDR.
   * It may be the gateway address while nobody holds it (Neutron's check_subnet_ip allows it);
   * a router interface asking for the gateway afterwards then finds it taken.
   */
  claim(ip: Ip, owner: string): AllocResult {
    const { cidr } = this.plan;
    const shown = formatIp(ip);
    if (!cidrContains(cidr, ip)) {
      return fail('outside-subnet', `${shown} is outside ${formatCidr(cidr)}`);
    }
    const value = ip.value;
    if (value === this.gateway && !this.plan.gatewayClaimable) {
      return fail('gateway', `${shown} is the gateway of ${formatCidr(cidr)}`);
    }
    if (this.reserved.has(value)) {
      return fail('reserved', `${describeReserved(cidr, value)} cannot be used as a fixed IP in ${formatCidr(cidr)}`);
    }
    if (cidr.version === 4 && value === cidrFirst(cidr)) {
      // Only a /31 or /32 gets here: check_subnet_ip refuses net.network at every prefix, though
      // generate_pools puts it in the pool of a /31 or /32 (so a port may still be given it).
      return fail('reserved', `the network address ${shown} cannot be a fixed IP, even on a /${cidr.prefix} (as in Neutron); ` +
        `leave the port's ip out and the pool hands it out`);
    }
    const current = this.owners.get(value);
    if (current !== undefined) {
      return fail('taken', `${shown} is already used by ${current}`);
    }
    this.owners.set(value, owner);
    this.free.remove(value, value);
    return { ok: true, ip: this.ipOf(value) };
  }

  /** Records the router interface that answers on the gateway address, unless a port holds it. */
  claimGateway(owner: string): AllocResult {
    if (this.gateway === null) {
      return fail('no-gateway', `${formatCidr(this.plan.cidr)} has no gateway address`);
    }
    const current = this.owners.get(this.gateway);
    if (current !== undefined) {
      return fail('taken', `gateway ${formatIp(this.ipOf(this.gateway))} is already used by ${current}`);
    }
    this.owners.set(this.gateway, owner);
    return { ok: true, ip: this.ipOf(this.gateway) };
  }

  /** Frees an owned address; false when it was not owned. Pool addresses go back to the pool. */
  release(ip: Ip): boolean {
    if (ip.version !== this.plan.cidr.version || !this.owners.delete(ip.value)) return false;
    if (this.inPools(ip.value)) this.free.add(ip.value, ip.value);
    return true;
  }

  ownerOf(ip: Ip): string | undefined {
    return ip.version === this.plan.cidr.version ? this.owners.get(ip.value) : undefined;
  }

  /** Allocated and claimed addresses, wherever they lie. */
  used(): number {
    return this.owners.size;
  }

  freeInPools(): bigint {
    return this.free.size();
  }

  /** The free pool addresses as intervals: what tests compare to check release restores state. */
  freeIntervals(): readonly Interval[] {
    return this.free.intervals();
  }

  allocations(): { ip: Ip; owner: string }[] {
    return [...this.owners]
      .map(([value, owner]) => ({ ip: this.ipOf(value), owner }))
      .sort((a, b) => compareIp(a.ip, b.ip));
  }

  /**
   * _generate_ips: take the first pool (in address order) that has a free address, list its
   * first min(free, 1000) free addresses in ascending order and sample one. The window never
   * spans two pools, exactly as in Neutron, which samples pool by pool.
   */
  private pickLikeNeutron(rng: Rng | undefined): bigint | undefined {
    if (rng === undefined) throw new TypeError("allocation strategy 'neutron' needs the topology's seeded rng");
    const lowest = this.free.first();
    if (lowest === undefined) return undefined;
    const pool = this.poolOf(lowest);
    const window = this.free.firstN(NEUTRON_WINDOW).filter((v) => pool === undefined || v <= pool.hi);
    return window[rng.below(window.length)];
  }

  private exhausted(): IpamError {
    const inUse = this.capacity - this.free.size();
    const unit = this.capacity === 1n ? 'address' : 'addresses';
    return ipamError('exhausted',
      `no free address left in ${formatCidr(this.plan.cidr)} (capacity ${this.capacity} ${unit}, ${inUse} in use)`);
  }

  private inPools(value: bigint): boolean {
    return this.poolOf(value) !== undefined;
  }

  /** The pool holding `value`, by binary search over the sorted pools. */
  private poolOf(value: bigint): Interval | undefined {
    let lo = 0;
    let hi = this.pools.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const pool = this.pools[mid] as Interval;
      if (value < pool.lo) hi = mid;
      else if (value > pool.hi) lo = mid + 1;
      else return pool;
    }
    return undefined;
  }

  private ipOf(value: bigint): Ip {
    return { version: this.plan.cidr.version, value };
  }
}

function fail(code: string, message: string): AllocResult {
  return { ok: false, error: ipamError(code, message) };
}

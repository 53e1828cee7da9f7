import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrFirst, cidrLast } from '../../../src/address/cidr.js';
import type { Ip } from '../../../src/address/ip.js';
import { SubnetAllocator, type AllocStrategy } from '../../../src/ipam/subnet-allocator.js';
import type { SubnetPlan } from '../../../src/ipam/subnet-plan.js';
import { createRng, type Rng } from '../../../src/util/rng.js';
import { smallPlanArb } from './arbitraries.js';

/** The model: every address of the (small) subnet enumerated in plain Sets. */
interface Model {
  readonly first: bigint;
  readonly last: bigint;
  readonly pool: ReadonlySet<bigint>;
  readonly reserved: ReadonlySet<bigint>;
  readonly gateway: bigint | null;
  /** A port may take the gateway as a fixed IP (openstack), or never (AWS's VPC router). */
  readonly gatewayClaimable: boolean;
  readonly version: 4 | 6;
  readonly free: Set<bigint>;
  readonly owners: Map<bigint, string>;
}
interface Real {
  readonly allocator: SubnetAllocator;
  readonly rng: Rng;
  readonly plan: SubnetPlan;
}

function modelOf(plan: SubnetPlan): Model {
  const pool = new Set<bigint>();
  for (const p of plan.pools) for (let v = p.start.value; v <= p.end.value; v++) pool.add(v);
  return {
    first: cidrFirst(plan.cidr), last: cidrLast(plan.cidr), pool,
    reserved: new Set(plan.reserved.map((r) => r.value)),
    gateway: plan.gateway?.value ?? null, gatewayClaimable: plan.gatewayClaimable, version: plan.cidr.version,
    free: new Set(pool), owners: new Map(),
  };
}

const ipIn = (r: Real, value: bigint): Ip => ({ version: r.plan.cidr.version, value });
const poolRangeOf = (plan: SubnetPlan, v: bigint) => plan.pools.find((p) => p.start.value <= v && v <= p.end.value);

function checkCounters(m: Model, r: Real): void {
  expect(r.allocator.used()).toBe(m.owners.size);
  expect(r.allocator.freeInPools()).toBe(BigInt(m.free.size));
}

class AllocateCommand implements fc.Command<Model, Real> {
  constructor(readonly strategy: AllocStrategy, readonly owner: string) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const result = r.allocator.allocate(this.owner, this.strategy, r.rng);
    if (m.free.size === 0) {
      expect(result.ok ? 'ok' : result.error.code).toBe('exhausted');
      return;
    }
    if (!result.ok) throw new Error(`unexpected ${result.error.code}: ${result.error.message}`);
    const v = result.ip.value;
    // Free in the model means: in a pool, not reserved, not the gateway, not handed out before.
    expect(m.free.has(v)).toBe(true);
    expect(m.reserved.has(v) || v === m.gateway).toBe(false);
    const lowest = [...m.free].reduce((a, b) => (b < a ? b : a));
    if (this.strategy === 'lowest') expect(v).toBe(lowest);
    // Neutron samples inside the first pool that still has room.
    else expect(poolRangeOf(r.plan, v)).toBe(poolRangeOf(r.plan, lowest));
    m.free.delete(v);
    m.owners.set(v, this.owner);
    checkCounters(m, r);
  }
  toString = (): string => `allocate(${this.owner}, ${this.strategy})`;
}

class ClaimCommand implements fc.Command<Model, Real> {
  constructor(readonly offset: number, readonly owner: string) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    claimIn(m, r, m.first + BigInt(this.offset), this.owner);
  }
  toString = (): string => `claim(+${this.offset}, ${this.owner})`;
}

/**
 * A fixed IP, as Neutron's check_subnet_ip and _verify_ip decide it: inside the CIDR, not
 * reserved, never the IPv4 network address (a /31's or /32's included), not taken; the gateway
 * only where the profile lets a port have it.
 */
function claimIn(m: Model, r: Real, v: bigint, owner: string): void {
  const expected = v < m.first || v > m.last ? 'outside-subnet'
    : v === m.gateway && !m.gatewayClaimable ? 'gateway'
    : m.reserved.has(v) || (m.version === 4 && v === m.first) ? 'reserved'
    : m.owners.has(v) ? 'taken'
    : 'ok';
  const result = r.allocator.claim(ipIn(r, v), owner);
  expect(result.ok ? 'ok' : result.error.code).toBe(expected);
  if (!result.ok && expected === 'taken') expect(result.error.message).toContain(m.owners.get(v));
  if (expected === 'ok') {
    m.owners.set(v, owner);
    m.free.delete(v);
  }
  checkCounters(m, r);
}

/** A port given the gateway address as its fixed IP (often enough to meet the router below). */
class ClaimAtGatewayCommand implements fc.Command<Model, Real> {
  constructor(readonly owner: string) {}
  check = (m: Readonly<Model>): boolean => m.gateway !== null;
  run(m: Model, r: Real): void {
    claimIn(m, r, m.gateway!, this.owner);
  }
  toString = (): string => `claim(gateway, ${this.owner})`;
}

/** A router interface asking for the gateway: refused while anyone (port or router) holds it. */
class RouterGatewayCommand implements fc.Command<Model, Real> {
  constructor(readonly owner: string) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const expected = m.gateway === null ? 'no-gateway' : m.owners.has(m.gateway) ? 'taken' : 'ok';
    const result = r.allocator.claimGateway(this.owner);
    expect(result.ok ? 'ok' : result.error.code).toBe(expected);
    if (!result.ok && expected === 'taken') expect(result.error.message).toContain(m.owners.get(m.gateway!));
    if (expected === 'ok') m.owners.set(m.gateway!, this.owner);
    checkCounters(m, r);
  }
  toString = (): string => `claimGateway(${this.owner})`;
}

class ReleaseCommand implements fc.Command<Model, Real> {
  constructor(readonly offset: number) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const v = m.first + BigInt(this.offset);
    const held = m.owners.has(v);
    expect(r.allocator.release(ipIn(r, v))).toBe(held);
    if (held) {
      m.owners.delete(v);
      if (m.pool.has(v)) m.free.add(v);
    }
    expect(r.allocator.ownerOf(ipIn(r, v))).toBeUndefined();
    checkCounters(m, r);
  }
  toString = (): string => `release(+${this.offset})`;
}

const ownerArb = fc.constantFrom('a', 'b', 'c', 'd');
// Offsets run a little past 256 and below 0 so that out-of-subnet claims happen too.
const offsetArb = fc.integer({ min: -2, max: 258 });
// Releases aim at low offsets, where allocate() puts addresses, so they hit something.
const releaseOffsetArb = fc.oneof(fc.integer({ min: 0, max: 16 }), offsetArb);
const commandsArb = fc.commands([
  fc.tuple(fc.constantFrom<AllocStrategy>('lowest', 'neutron'), ownerArb).map(([s, o]) => new AllocateCommand(s, o)),
  fc.tuple(fc.constantFrom<AllocStrategy>('lowest', 'neutron'), ownerArb).map(([s, o]) => new AllocateCommand(s, o)),
  fc.tuple(offsetArb, ownerArb).map(([off, o]) => new ClaimCommand(off, o)),
  // The first addresses, where the network address, the gateway and a /31's hosts are.
  fc.tuple(fc.integer({ min: 0, max: 3 }), ownerArb).map(([off, o]) => new ClaimCommand(off, o)),
  releaseOffsetArb.map((off) => new ReleaseCommand(off)),
  ownerArb.map((o) => new ClaimAtGatewayCommand(o)),
  ownerArb.map((o) => new RouterGatewayCommand(`router-${o}`)),
], { maxCommands: 80 });

describe('SubnetAllocator against a Set model (fc.commands)', () => {
  it('allocate/claim/claimGateway/release never hand out reserved, duplicate or out-of-pool addresses, nor the gateway twice', () => {
    fc.assert(fc.property(smallPlanArb, fc.nat(), commandsArb, (plan, seed, cmds) => {
      const model = modelOf(plan);
      const real: Real = { allocator: new SubnetAllocator(plan), rng: createRng(seed), plan };
      fc.modelRun(() => ({ model, real }), cmds);
      const sorted = [...model.owners].sort(([a], [b]) => (a < b ? -1 : 1)).map(([v, owner]) => ({ ip: ipIn(real, v), owner }));
      expect(real.allocator.allocations()).toEqual(sorted);
    }), { numRuns: 150 });
  });
});

describe('SubnetAllocator state (property)', () => {
  it('allocate-all then release-all, in any order, restores the free intervals', () => {
    fc.assert(fc.property(smallPlanArb, fc.constantFrom<AllocStrategy>('lowest', 'neutron'), fc.nat(), fc.nat(), (plan, strategy, seed, shuffle) => {
      const allocator = new SubnetAllocator(plan);
      const before = allocator.freeIntervals();
      const rng = createRng(seed);
      const got: Ip[] = [];
      for (let r = allocator.allocate('x', strategy, rng); r.ok; r = allocator.allocate('x', strategy, rng)) got.push(r.ip);
      expect(BigInt(got.length)).toBe(plan.capacity);
      expect(new Set(got.map((ip) => ip.value)).size).toBe(got.length);
      expect(allocator.freeInPools()).toBe(0n);
      const order = got.map((ip, i) => ({ ip, key: (i * 2654435761 + shuffle) % 1000003 })).sort((a, b) => a.key - b.key);
      for (const { ip } of order) expect(allocator.release(ip)).toBe(true);
      expect(allocator.freeIntervals()).toEqual(before);
      expect(allocator.freeInPools()).toBe(plan.capacity);
      expect(allocator.used()).toBe(0);
    }), { numRuns: 150 });
  });

  it('the same seed gives the same allocation order', () => {
    fc.assert(fc.property(smallPlanArb, fc.nat(), fc.integer({ min: 1, max: 40 }), (plan, seed, n) => {
      const run = (): string[] => {
        const allocator = new SubnetAllocator(plan);
        const rng = createRng(seed);
        return Array.from({ length: n }, () => {
          const r = allocator.allocate('x', 'neutron', rng);
          return r.ok ? r.ip.value.toString() : r.error.code;
        });
      };
      expect(run()).toEqual(run());
    }), { numRuns: 100 });
  });
});

/**
 * The allocators as made faster for 100,000 ports (IPv4 owners keyed by number, generated MACs'
 * owners in an array) against their copies from before (test/property/topology/reference, at
 * d5ddc86): random sequences of every operation give the same results, errors and owners, and
 * the same state after (used, free, allocations), for IPv4 and IPv6 subnets of every size the
 * arbitraries make, and for MACs around claims, reservations and releases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMac } from '../../../src/address/mac.js';
import { MacAllocator } from '../../../src/ipam/mac-allocator.js';
import { SubnetAllocator } from '../../../src/ipam/subnet-allocator.js';
import { createRng } from '../../../src/util/rng.js';
import { MacAllocator as ReferenceMacAllocator } from '../topology/reference/ipam/mac-allocator.js';
import { SubnetAllocator as ReferenceSubnetAllocator } from '../topology/reference/ipam/subnet-allocator.js';
import { smallPlanArb } from './arbitraries.js';

type SubnetOp =
  | { kind: 'allocate'; neutron: boolean }
  | { kind: 'claim'; at: number; owner: number }
  | { kind: 'claimGateway'; owner: number }
  | { kind: 'release'; at: number }
  | { kind: 'ownerOf'; at: number };

/** An address by its offset from just below the CIDR (wrapping past just above it): low ones, where allocation starts, are likelier. */
const offset = fc.oneof(fc.nat(12), fc.nat(300));

const subnetOp: fc.Arbitrary<SubnetOp> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('allocate' as const), neutron: fc.boolean() }), weight: 4 },
  fc.record({ kind: fc.constant('claim' as const), at: offset, owner: fc.nat(3) }),
  fc.record({ kind: fc.constant('claimGateway' as const), owner: fc.nat(3) }),
  fc.record({ kind: fc.constant('release' as const), at: offset }),
  fc.record({ kind: fc.constant('ownerOf' as const), at: offset }),
);

/** Results and state as text (bigints marked), so any difference shows in the diff. */
const text = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

describe('SubnetAllocator against its reference (property)', () => {
  it('the same results and state for any sequence of operations', () => {
    fc.assert(fc.property(smallPlanArb, fc.array(subnetOp, { maxLength: 80 }), fc.nat(1000), (plan, ops, seed) => {
      const fast = new SubnetAllocator(plan);
      const reference = new ReferenceSubnetAllocator(plan);
      const rngs = [createRng(seed), createRng(seed)];
      const { cidr } = plan;
      // Addresses a little outside the CIDR too, so every refusal is compared.
      const size = 1n << BigInt((cidr.version === 4 ? 32 : 128) - cidr.prefix);
      const lo = cidr.network > 0n ? cidr.network - 1n : 0n;
      const at = (n: number) => ({ version: cidr.version, value: lo + (BigInt(n) % (size + 2n)) });
      const run = (a: SubnetAllocator | ReferenceSubnetAllocator, rng: (typeof rngs)[number]) => ops.map((op) => {
        switch (op.kind) {
          case 'allocate': return op.neutron ? a.allocate('port', 'neutron', rng) : a.allocate('port');
          case 'claim': return a.claim(at(op.at), `owner-${op.owner}`);
          case 'claimGateway': return a.claimGateway(`router-${op.owner}`);
          case 'release': return a.release(at(op.at));
          case 'ownerOf': return a.ownerOf(at(op.at)) ?? null;
        }
      });
      const state = (a: SubnetAllocator | ReferenceSubnetAllocator) => ({ used: a.used(), free: a.freeInPools(), allocations: a.allocations(), intervals: a.freeIntervals() });
      expect(text([run(fast, rngs[0]!), state(fast)])).toBe(text([run(reference, rngs[1]!), state(reference)]));
    }), { numRuns: 300 });
  });
});

type MacOp = { kind: 'allocate' } | { kind: 'claim' | 'reserve' | 'release' | 'ownerOf'; mac: string };
const MACS = ['fa:16:3e:00:00:01', 'fa:16:3e:00:00:02', 'fa:16:3e:00:00:04', 'fa:16:3e:ff:ff:ff', 'fa:16:3e:00:00:00', '02:00:00:00:00:01', '01:00:5e:00:00:01', 'ff:ff:ff:ff:ff:ff'];
const macOp: fc.Arbitrary<MacOp> = fc.oneof(
  { arbitrary: fc.constant<MacOp>({ kind: 'allocate' }), weight: 4 },
  fc.record({ kind: fc.constantFrom('claim' as const, 'reserve' as const, 'release' as const, 'ownerOf' as const), mac: fc.constantFrom(...MACS) }),
);

describe('MacAllocator against its reference (property)', () => {
  it('the same MACs, errors and owners for any sequence of operations', () => {
    fc.assert(fc.property(fc.array(macOp, { maxLength: 60 }), (ops) => {
      const run = (a: MacAllocator | ReferenceMacAllocator) => [ops.map((op, i) => {
        if (op.kind === 'allocate') return a.allocate(`port-${i}`);
        const mac = parseMac(op.mac)!;
        if (op.kind === 'claim') return a.claim(mac, `owner-${i}`);
        if (op.kind === 'reserve') return a.reserve(mac) ?? null;
        if (op.kind === 'release') return a.release(mac);
        return a.ownerOf(mac) ?? null;
      }), a.used(), MACS.map((m) => a.ownerOf(parseMac(m)!) ?? null)];
      expect(text(run(new MacAllocator()))).toBe(text(run(new ReferenceMacAllocator())));
    }), { numRuns: 500 });
  });
});

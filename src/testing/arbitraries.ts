/**
 * fast-check arbitraries for vnet's concepts, one per concept and composed with map, so users
 * can state properties of their own clouds (DESIGN §7: `import { arbitraries } from 'vnet/testing'`).
 * Packets and rules join as the engine and firewall land.
 */
import fc from 'fast-check';
import { maskOf, type Cidr } from '../address/cidr.js';
import type { Ip } from '../address/ip.js';
import type { Mac } from '../address/mac.js';

export const ipv4 = (): fc.Arbitrary<Ip> => fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }).map((value) => ({ version: 4 as const, value }));
export const ipv6 = (): fc.Arbitrary<Ip> => fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }).map((value) => ({ version: 6 as const, value }));
export const ip = (): fc.Arbitrary<Ip> => fc.oneof(ipv4(), ipv6());

/** A CIDR with host bits cleared; prefix lengths bounded so tests can reason about sizes. */
export const cidrV4 = (minPrefix = 0, maxPrefix = 32): fc.Arbitrary<Cidr> =>
  fc.tuple(ipv4(), fc.integer({ min: minPrefix, max: maxPrefix })).map(([a, prefix]) => ({ version: 4 as const, prefix, network: a.value & maskOf(4, prefix) }));
export const cidrV6 = (minPrefix = 0, maxPrefix = 128): fc.Arbitrary<Cidr> =>
  fc.tuple(ipv6(), fc.integer({ min: minPrefix, max: maxPrefix })).map(([a, prefix]) => ({ version: 6 as const, prefix, network: a.value & maskOf(6, prefix) }));

/** Unicast MACs (the group bit clear), as ports have. */
export const unicastMac = (): fc.Arbitrary<Mac> =>
  fc.integer({ min: 0, max: 2 ** 24 - 1 }).chain((low) => fc.integer({ min: 0, max: 2 ** 24 - 1 }).map((high) => (high & 0xfffffe) * 2 ** 24 + low));

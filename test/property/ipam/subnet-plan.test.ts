import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrContains, cidrSize, type Cidr } from '../../../src/address/cidr.js';
import { planSubnet, type IpamProfile, type SubnetPlan } from '../../../src/ipam/subnet-plan.js';
import { acceptedChoice, cidrArb, gatewayChoiceArb, gatewayOf, smallPlanArb, type GatewayChoice } from './arbitraries.js';

/**
 * The expected pool size, written out case by case from the rules (Neutron generate_pools,
 * RFC 3021, AWS VPC) rather than derived from the plan: size less reserved less the gateway.
 */
function expectedCapacity(cidr: Cidr, profile: IpamProfile, gateway: GatewayChoice, gatewayIsNetwork: boolean): bigint {
  const size = cidrSize(cidr);
  if (profile === 'aws') return size - 5n; // .0 .1(router) .2 .3 and the last
  const hasGateway = gateway.kind === 'offset' || (gateway.kind === 'default' && !pointToPoint(cidr));
  if (pointToPoint(cidr)) return size - (hasGateway ? 1n : 0n);
  if (cidr.version === 4) return size - 2n - (hasGateway ? 1n : 0n); // network, broadcast, gateway
  // IPv6: the subnet-router anycast address is out either as the default gateway or as reserved.
  return size - 1n - (gateway.kind === 'offset' && !gatewayIsNetwork ? 1n : 0n);
}

const pointToPoint = (c: Cidr): boolean => (c.version === 4 ? c.prefix >= 31 : c.prefix >= 127);

function checkPlanShape(plan: SubnetPlan): void {
  const { cidr } = plan;
  let previousEnd = -1n;
  let sum = 0n;
  for (const pool of plan.pools) {
    expect(pool.start.value <= pool.end.value).toBe(true);
    expect(pool.start.value > previousEnd).toBe(true);
    expect(cidrContains(cidr, pool.start) && cidrContains(cidr, pool.end)).toBe(true);
    previousEnd = pool.end.value;
    sum += pool.end.value - pool.start.value + 1n;
  }
  expect(sum).toBe(plan.capacity);
  const inPool = (v: bigint): boolean => plan.pools.some((p) => p.start.value <= v && v <= p.end.value);
  for (const r of plan.reserved) expect(inPool(r.value)).toBe(false);
  if (plan.gateway) {
    expect(inPool(plan.gateway.value)).toBe(false);
    expect(plan.reserved.some((r) => r.value === plan.gateway?.value)).toBe(false);
  }
}

describe('planSubnet capacity arithmetic (property)', () => {
  const cases: [string, fc.Arbitrary<Cidr>, IpamProfile][] = [
    ['openstack IPv4 /8-/32', cidrArb(4, 8, 32), 'openstack'],
    ['openstack IPv6 /64-/128', cidrArb(6, 64, 128), 'openstack'],
    ['aws IPv4 /16-/28', cidrArb(4, 16, 28), 'aws'],
  ];
  for (const [name, arb, profile] of cases) {
    it(`${name}: capacity = size - reserved - gateway, pools disjoint and clear of both`, () => {
      fc.assert(fc.property(arb, gatewayChoiceArb, (cidr, choice) => {
        const gatewayChoice = profile === 'aws' ? { kind: 'default' as const } : acceptedChoice(choice, cidr);
        const size = cidrSize(cidr);
        const v4Hosts = cidr.version === 4 && cidr.prefix <= 30;
        const gateway = gatewayOf(gatewayChoice, cidr, v4Hosts ? 1n : 0n, v4Hosts ? size - 2n : size - 1n);
        const r = planSubnet({ cidr, profile, gateway });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const isNetwork = gateway != null && gateway.value === cidr.network;
        expect(r.plan.capacity).toBe(expectedCapacity(cidr, profile, gatewayChoice, isNetwork));
        const gatewayInside = r.plan.gateway !== null && cidrContains(cidr, r.plan.gateway) ? 1n : 0n;
        expect(r.plan.capacity).toBe(size - BigInt(r.plan.reserved.length) - gatewayInside);
        checkPlanShape(r.plan);
      }), { numRuns: 300 });
    });
  }

  it('an explicit IPv4 gateway on the first or the last address is refused at every prefix, /31 and /32 included', () => {
    fc.assert(fc.property(cidrArb(4, 1, 32), fc.boolean(), (cidr, last) => {
      const value = last ? cidr.network + cidrSize(cidr) - 1n : cidr.network;
      const r = planSubnet({ cidr, profile: 'openstack', gateway: { version: 4, value } });
      expect(r.ok ? [] : r.errors.map((e) => [e.code, e.field])).toEqual([['gateway-reserved', 'gateway']]);
    }), { numRuns: 300 });
  });

  it('a /0 is never a subnet: one zero-prefix error at the cidr, whatever else is given', () => {
    fc.assert(fc.property(fc.constantFrom<4 | 6>(4, 6), gatewayChoiceArb, fc.constantFrom<IpamProfile>('openstack', 'aws'), (version, choice, profile) => {
      const cidr: Cidr = { version, network: 0n, prefix: 0 };
      const r = planSubnet({ cidr, profile, gateway: gatewayOf(choice, cidr, 1n, 1000n) });
      expect(r.ok ? [] : r.errors.map((e) => [e.code, e.field])).toEqual([['zero-prefix', 'cidr']]);
    }), { numRuns: 50 });
  });

  it('explicit pools carved from the defaults plan cleanly, with their sizes summed', () => {
    fc.assert(fc.property(smallPlanArb, (plan) => checkPlanShape(plan)), { numRuns: 200 });
  });
});

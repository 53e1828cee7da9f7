/**
 * fast-check arbitraries for IPAM property tests: one per concept (a CIDR of a given size range,
 * a gateway choice, a subnet input), composed with map/chain so shrinking stays meaningful.
 */
import fc from 'fast-check';
import { cidrSize, maskOf, type Cidr } from '../../../src/address/cidr.js';
import { bitsOf, type IpVersion } from '../../../src/address/ip.js';
import { IntervalSet } from '../../../src/ipam/interval-set.js';
import { planSubnet, type IpamProfile, type SubnetPlan, type SubnetPlanInput } from '../../../src/ipam/subnet-plan.js';

/** A CIDR with a random network of the given version and prefix range, host bits cleared. */
export const cidrArb = (version: IpVersion, minPrefix: number, maxPrefix: number): fc.Arbitrary<Cidr> =>
  fc.record({
    prefix: fc.integer({ min: minPrefix, max: maxPrefix }),
    raw: fc.bigInt({ min: 0n, max: (1n << BigInt(bitsOf(version))) - 1n }),
  }).map(({ prefix, raw }) => ({ version, prefix, network: raw & maskOf(version, prefix) }));

/** How the user states the gateway: left out, null, or an offset from the network address. */
export type GatewayChoice = { kind: 'default' } | { kind: 'none' } | { kind: 'offset'; fraction: number };

export const gatewayChoiceArb: fc.Arbitrary<GatewayChoice> = fc.oneof(
  fc.constant<GatewayChoice>({ kind: 'default' }),
  fc.constant<GatewayChoice>({ kind: 'none' }),
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((fraction): GatewayChoice => ({ kind: 'offset', fraction })),
);

/** The offset a fractional choice lands on inside [lo, hi] (bigint-safe for a /8 or a /64). */
export function offsetIn(fraction: number, lo: bigint, hi: bigint): bigint {
  const span = hi - lo + 1n;
  const scaled = (span * BigInt(Math.floor(fraction * 2 ** 32))) >> 32n;
  return lo + scaled;
}

/**
 * The choice planSubnet accepts: an IPv4 /31 or /32 has no address Neutron takes as an explicit
 * gateway (check_gateway_invalid_in_subnet refuses the first and the last), so an offset there
 * becomes "no gateway".
 */
export function acceptedChoice(choice: GatewayChoice, cidr: Cidr): GatewayChoice {
  return choice.kind === 'offset' && cidr.version === 4 && cidr.prefix >= 31 ? { kind: 'none' } : choice;
}

export function gatewayOf(choice: GatewayChoice, cidr: Cidr, lo: bigint, hi: bigint): SubnetPlanInput['gateway'] {
  if (choice.kind === 'default') return undefined;
  if (choice.kind === 'none') return null;
  return { version: cidr.version, value: cidr.network + offsetIn(choice.fraction, lo, hi) };
}

/**
 * A small valid subnet (at most 256 addresses, so a Set model can enumerate it): openstack IPv4
 * /24-/32, IPv6 /120-/128, or aws /24-/28; a gateway choice that the profile accepts; and
 * either the default pools or explicit ones carved from them (holes, and adjacent splits).
 */
export const smallPlanArb: fc.Arbitrary<SubnetPlan> = fc.oneof(
  fc.tuple(fc.constant<IpamProfile>('openstack'), cidrArb(4, 24, 32)),
  fc.tuple(fc.constant<IpamProfile>('openstack'), cidrArb(6, 120, 128)),
  fc.tuple(fc.constant<IpamProfile>('aws'), cidrArb(4, 24, 28)),
).chain(([profile, cidr]) =>
  fc.record({
    gateway: profile === 'aws' ? fc.constant<GatewayChoice>({ kind: 'default' }) : gatewayChoiceArb.map((g) => acceptedChoice(g, cidr)),
    holes: fc.array(fc.tuple(fc.nat(255), fc.nat(8)), { maxLength: 4 }),
    splits: fc.array(fc.nat(255), { maxLength: 2 }),
    explicit: fc.boolean(),
  }).map(({ gateway, holes, splits, explicit }) => {
    const size = cidrSize(cidr);
    // Gateways that planSubnet refuses (IPv4 network/broadcast) are avoided by offsetting inside the hosts.
    const v4Hosts = cidr.version === 4 && cidr.prefix <= 30;
    const gw = gatewayOf(gateway, cidr, v4Hosts ? 1n : 0n, v4Hosts ? size - 2n : size - 1n);
    const base = mustPlan({ cidr, profile, gateway: gw });
    if (!explicit) return base;
    const set = IntervalSet.of(base.pools.map((p) => ({ lo: p.start.value, hi: p.end.value })));
    for (const [at, len] of holes) {
      const lo = cidr.network + (BigInt(at) % size);
      set.remove(lo, lo + BigInt(len));
    }
    const cuts = new Set(splits.map((s) => cidr.network + (BigInt(s) % size)));
    const pools = set.intervals().flatMap((r) => {
      // Split an interval at a cut point into two adjacent pools: Neutron keeps them apart.
      const cut = [...cuts].find((c) => c > r.lo && c <= r.hi);
      return cut === undefined ? [r] : [{ lo: r.lo, hi: cut - 1n }, { lo: cut, hi: r.hi }];
    });
    return mustPlan({
      cidr, profile, gateway: gw,
      pools: pools.map((r) => ({ start: { version: cidr.version, value: r.lo }, end: { version: cidr.version, value: r.hi } })),
    });
  }),
);

export function mustPlan(input: SubnetPlanInput): SubnetPlan {
  const r = planSubnet(input);
  if (!r.ok) throw new Error(`arbitrary built an invalid subnet: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.plan;
}

/**
 * A subnet's address plan: its gateway, allocation pools and the addresses never handed out,
 * derived from the CIDR and the user's overrides, with every conflict reported at once.
 * Invariant of a plan: pools are sorted, disjoint, inside the CIDR, and hold neither the gateway
 * nor a reserved address. Semantics: Neutron 21's neutron/ipam/utils.py (generate_pools,
 * check_gateway_invalid_in_subnet), its _validate_subnet_cidr (no /0), RFC 3021 for /31, and
 * the AWS VPC subnet sizing rules.
 */
import { cidrContains, cidrFirst, cidrLast, formatCidr, type Cidr } from '../address/cidr.js';
import { formatIp, type Ip } from '../address/ip.js';
import { IntervalSet, type Interval } from './interval-set.js';
import { ipamError, type IpamError } from './ipam-error.js';

export type { IpamError } from './ipam-error.js';

export type IpamProfile = 'openstack' | 'aws';
export type Ipv6AddressMode = 'slaac' | 'dhcpv6-stateful' | 'dhcpv6-stateless';

export interface IpRange {
  readonly start: Ip;
  readonly end: Ip;
}

export interface SubnetPlanInput {
  readonly cidr: Cidr;
  /** undefined: the profile's default; null: no gateway. */
  readonly gateway?: Ip | null;
  /** undefined: the whole subnet less reserved addresses and gateway. [] is allowed: fixed IPs only. */
  readonly pools?: readonly IpRange[];
  readonly profile: IpamProfile;
  readonly ipv6AddressMode?: Ipv6AddressMode;
}

export interface SubnetPlan {
  readonly cidr: Cidr;
  readonly gateway: Ip | null;
  /** Sorted by start address, disjoint. */
  readonly pools: readonly IpRange[];
  /** Never handed out nor claimable as fixed IPs; never includes the gateway. Sorted. */
  readonly reserved: readonly Ip[];
  /** Number of addresses in the pools. */
  readonly capacity: bigint;
  /**
   * Whether a port may take the gateway address as a fixed IP: in Neutron any port may while no
   * router interface holds it (check_subnet_ip does not exclude it); AWS's VPC router, never.
   */
  readonly gatewayClaimable: boolean;
}

export type SubnetPlanResult = { ok: true; plan: SubnetPlan } | { ok: false; errors: IpamError[] };

/** AWS VPC subnets: IPv4 between /16 and /28; IPv6 between /44 and /64 in steps of 4 bits. */
const AWS_V4_PREFIX = { min: 16, max: 28 };
const AWS_V6_PREFIX = { min: 44, max: 64 };
/** SLAAC forms an address from a 64-bit interface id (RFC 4862 §5.5.3, RFC 4291 §2.5.1). */
const SLAAC_PREFIX = 64;

export function planSubnet(input: SubnetPlanInput): SubnetPlanResult {
  const { cidr, profile } = input;
  const errors: IpamError[] = [];
  if (cidr.prefix === 0) {
    // _validate_subnet_cidr: "0 is not allowed as CIDR prefix length". Nothing else is checked:
    // every other finding about a /0 would be a knock-on of this one.
    const all = cidr.version === 4 ? '0.0.0.0/0' : '::/0';
    return { ok: false, errors: [ipamError('zero-prefix',
      `${formatCidr(cidr)} is every IPv${cidr.version} address, not a subnet (Neutron refuses prefix length 0); ` +
      `a route or rule may say ${all}, a subnet needs a longer prefix`, 'cidr')] };
  }
  checkAddressMode(input, errors);
  const profileFits = profile !== 'aws' || checkAwsPrefix(cidr, errors);
  // With an AWS prefix that AWS refuses, its reservations are meaningless: only the checks that
  // do not depend on them run, so the user is not told about knock-on conflicts.
  const intrinsic = profileFits ? intrinsicReserved(cidr, profile) : [];
  const gateway = resolveGateway(input, profileFits, errors);
  const reserved = intrinsic.filter((v) => v !== gateway);

  let pools: readonly Interval[];
  if (input.pools === undefined) {
    // generate_pools: the whole range less what is reserved, split around the gateway.
    const set = IntervalSet.of([{ lo: cidrFirst(cidr), hi: cidrLast(cidr) }]);
    for (const v of intrinsic) set.remove(v, v);
    if (gateway !== null) set.remove(gateway, gateway);
    pools = set.intervals();
  } else {
    pools = checkPools(input.pools, cidr, reserved, gateway, input.gateway === undefined, errors);
  }

  if (errors.length > 0) return { ok: false, errors };
  const ip = (value: bigint): Ip => ({ version: cidr.version, value });
  return {
    ok: true,
    plan: {
      cidr,
      gateway: gateway === null ? null : ip(gateway),
      pools: pools.map((r) => ({ start: ip(r.lo), end: ip(r.hi) })),
      reserved: reserved.map(ip),
      capacity: pools.reduce((sum, r) => sum + r.hi - r.lo + 1n, 0n),
      gatewayClaimable: profile !== 'aws',
    },
  };
}

/**
 * True for the subnets whose every address is a host: IPv4 /31 (RFC 3021) and /32, IPv6 /127
 * (RFC 6164) and /128. Neutron's generate_pools agrees for IPv4; for IPv6 /127 vnet follows
 * RFC 6164 rather than Neutron, which keeps the subnet-router anycast address out of the pool.
 */
export function isPointToPoint(cidr: Cidr): boolean {
  return cidr.version === 4 ? cidr.prefix >= 31 : cidr.prefix >= 127;
}

/**
 * Addresses the profile keeps out of both pools and fixed IPs, before the gateway is taken out:
 * IPv4 network and broadcast (Neutron check_subnet_ip); the IPv6 subnet-router anycast address
 * (RFC 4291 §2.6.1, refused by check_subnet_ip for non-router ports); AWS's first four and last.
 * A point-to-point subnet reserves nothing here; its IPv4 network address is still no fixed IP
 * (SubnetAllocator.claim), as check_subnet_ip compares with net.network at every prefix.
 */
export function intrinsicReserved(cidr: Cidr, profile: IpamProfile): bigint[] {
  const first = cidrFirst(cidr);
  const last = cidrLast(cidr);
  if (profile === 'aws') return [first, first + 1n, first + 2n, first + 3n, last];
  if (isPointToPoint(cidr)) return [];
  return cidr.version === 4 ? [first, last] : [first];
}

/** Why an address of `cidr` is reserved, for messages ("the broadcast address 10.0.0.255"). */
export function describeReserved(cidr: Cidr, value: bigint): string {
  const shown = formatIp({ version: cidr.version, value });
  if (value === cidrFirst(cidr)) {
    return cidr.version === 4 ? `the network address ${shown}` : `the subnet-router anycast address ${shown}`;
  }
  if (cidr.version === 4 && value === cidrLast(cidr)) return `the broadcast address ${shown}`;
  return `${shown}, reserved by AWS`;
}

function defaultGateway(cidr: Cidr, profile: IpamProfile): bigint | null {
  // AWS's VPC router always answers on the first host address.
  if (profile === 'aws') return cidrFirst(cidr) + 1n;
  if (isPointToPoint(cidr)) return null;
  // As Neutron: the first host for IPv4; the subnet-router anycast address for IPv6.
  return cidr.version === 4 ? cidrFirst(cidr) + 1n : cidrFirst(cidr);
}

function checkAddressMode(input: SubnetPlanInput, errors: IpamError[]): void {
  const mode = input.ipv6AddressMode;
  if (mode === undefined) return;
  const { cidr } = input;
  if (cidr.version === 4) {
    errors.push(ipamError('ipv6-mode-on-ipv4',
      `ipv6_address_mode ${mode} applies to IPv6 subnets only; ${formatCidr(cidr)} is IPv4`, 'ipv6_address_mode'));
  } else if (mode !== 'dhcpv6-stateful' && cidr.prefix !== SLAAC_PREFIX) {
    // dhcpv6-stateless also takes its addresses from SLAAC, so it has the same constraint.
    errors.push(ipamError('slaac-prefix',
      `ipv6_address_mode ${mode} needs a /64 (SLAAC builds addresses from a 64-bit interface id), ` +
      `but ${formatCidr(cidr)} is a /${cidr.prefix}`, 'ipv6_address_mode'));
  }
}

function checkAwsPrefix(cidr: Cidr, errors: IpamError[]): boolean {
  const fits = cidr.version === 4
    ? cidr.prefix >= AWS_V4_PREFIX.min && cidr.prefix <= AWS_V4_PREFIX.max
    : cidr.prefix >= AWS_V6_PREFIX.min && cidr.prefix <= AWS_V6_PREFIX.max && cidr.prefix % 4 === 0;
  if (!fits) {
    const allowed = cidr.version === 4
      ? `between /${AWS_V4_PREFIX.min} and /${AWS_V4_PREFIX.max}`
      : `between /${AWS_V6_PREFIX.min} and /${AWS_V6_PREFIX.max} in steps of 4`;
    errors.push(ipamError('aws-prefix',
      `an AWS subnet's prefix must be ${allowed}; ${formatCidr(cidr)} is a /${cidr.prefix}`, 'cidr'));
  }
  return fits;
}

/** The gateway's value, or null for none (also when the requested one is invalid: errors say why). */
function resolveGateway(input: SubnetPlanInput, profileFits: boolean, errors: IpamError[]): bigint | null {
  const { cidr, profile } = input;
  const requested = input.gateway;
  const cidrText = formatCidr(cidr);
  const awsRouter = cidrFirst(cidr) + 1n;
  const awsRouterText = formatIp({ version: cidr.version, value: awsRouter });
  if (requested === undefined) return profileFits ? defaultGateway(cidr, profile) : null;
  if (requested === null) {
    if (profile === 'aws' && profileFits) {
      errors.push(ipamError('aws-gateway',
        `an AWS subnet always has its VPC router at ${awsRouterText}; it cannot be left without a gateway`, 'gateway'));
    }
    return null;
  }
  const shown = formatIp(requested);
  if (requested.version !== cidr.version) {
    errors.push(ipamError('gateway-outside',
      `gateway ${shown} is an IPv${requested.version} address but ${cidrText} is IPv${cidr.version}`, 'gateway'));
    return null;
  }
  if (!cidrContains(cidr, requested)) {
    errors.push(ipamError('gateway-outside', `gateway ${shown} is outside ${cidrText}`, 'gateway'));
    return null;
  }
  if (!profileFits) return requested.value;
  if (profile === 'aws') {
    if (requested.value === awsRouter) return awsRouter;
    errors.push(ipamError('aws-gateway',
      `an AWS subnet's gateway is always its VPC router at ${awsRouterText}, not ${shown}`, 'gateway'));
    return null;
  }
  // check_gateway_invalid_in_subnet: for IPv4 the first and the last address (net.network,
  // net[-1]) are never a gateway, whatever the prefix: on a /31 that is both addresses, on a /32
  // the only one. (A /31's pool and fixed IPs still use its addresses: isPointToPoint.)
  if (cidr.version === 4 && (requested.value === cidrFirst(cidr) || requested.value === cidrLast(cidr))) {
    const what = isPointToPoint(cidr)
      ? `${shown}: on a /${cidr.prefix} Neutron refuses ${cidr.prefix === 31 ? 'either address' : 'the address'} as the gateway ` +
        `(check_gateway_invalid_in_subnet); write gateway: null and give the router interface its address with ip:`
      : `${describeReserved(cidr, requested.value)} of ${cidrText}`;
    errors.push(ipamError('gateway-reserved', `gateway cannot be ${what}`, 'gateway'));
    return null;
  }
  return requested.value;
}

/**
 * Validates user pools and returns them sorted by start (meaningful only when no error was
 * pushed). Adjacent pools stay separate, as in Neutron, where each pool has its own window.
 */
function checkPools(
  pools: readonly IpRange[], cidr: Cidr, reserved: readonly bigint[], gateway: bigint | null,
  gatewayIsDefault: boolean, errors: IpamError[],
): Interval[] {
  const cidrText = formatCidr(cidr);
  const placed: { lo: bigint; hi: bigint; index: number; text: string }[] = [];
  pools.forEach((pool, index) => {
    const text = `${formatIp(pool.start)}-${formatIp(pool.end)}`;
    if (pool.start.version !== cidr.version || pool.end.version !== cidr.version) {
      errors.push(ipamError('pool-outside', `pool ${text} is not an IPv${cidr.version} range as ${cidrText} is`, 'pools', index));
      return;
    }
    const lo = pool.start.value;
    const hi = pool.end.value;
    if (lo > hi) {
      errors.push(ipamError('pool-reversed',
        `pool ${text} starts after it ends; write it as ${formatIp(pool.end)}-${formatIp(pool.start)}`, 'pools', index));
      return;
    }
    if (!cidrContains(cidr, pool.start) || !cidrContains(cidr, pool.end)) {
      errors.push(ipamError('pool-outside', `pool ${text} is not inside ${cidrText}`, 'pools', index));
      return;
    }
    const inside = reserved.filter((v) => v >= lo && v <= hi);
    if (inside.length > 0) {
      const what = inside.map((v) => describeReserved(cidr, v)).join(' and ');
      errors.push(ipamError('pool-reserved', `pool ${text} includes ${what}, which is never handed out`, 'pools', index));
    }
    if (gateway !== null && gateway >= lo && gateway <= hi) {
      const which = gatewayIsDefault ? 'the default gateway' : 'the gateway';
      errors.push(ipamError('gateway-in-pool',
        `${which} ${formatIp({ version: cidr.version, value: gateway })} lies inside pool ${text}`, 'pools', index));
    }
    placed.push({ lo, hi, index, text });
  });
  // Sorting by start makes every overlap show up between a pool and the widest one before it.
  const sorted = [...placed].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : a.index - b.index));
  let widest: (typeof placed)[number] | undefined;
  for (const pool of sorted) {
    if (widest !== undefined && pool.lo <= widest.hi) {
      errors.push(ipamError('pool-overlap', `pool ${pool.text} overlaps pool ${widest.text}`, 'pools', pool.index));
    }
    if (widest === undefined || pool.hi > widest.hi) widest = pool;
  }
  return sorted.map(({ lo, hi }) => ({ lo, hi }));
}

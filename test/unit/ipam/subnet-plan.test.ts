import { describe, expect, it } from 'vitest';
import { formatIp } from '../../../src/address/ip.js';
import { planSubnet, type SubnetPlan, type SubnetPlanInput } from '../../../src/ipam/subnet-plan.js';
import { cidr, ip, poolsText, range } from './helpers.js';

function plan(input: SubnetPlanInput): SubnetPlan {
  const r = planSubnet(input);
  if (!r.ok) throw new Error(`expected a plan, got ${JSON.stringify(r.errors)}`);
  return r.plan;
}

function codes(input: SubnetPlanInput): { code: string; field?: string; index?: number }[] {
  const r = planSubnet(input);
  if (r.ok) throw new Error('expected errors, got a plan');
  return r.errors.map(({ code, field, index }) => ({ code, ...(field ? { field } : {}), ...(index !== undefined ? { index } : {}) }));
}

const shown = (ips: readonly { version: 4 | 6; value: bigint }[]): string[] => ips.map(formatIp);

describe('planSubnet, openstack IPv4 (neutron generate_pools)', () => {
  it('10.0.0.0/24: gateway .1, pool .2-.254, 253 addresses', () => {
    const p = plan({ cidr: cidr('10.0.0.0/24'), profile: 'openstack' });
    expect(p.gateway && formatIp(p.gateway)).toBe('10.0.0.1');
    expect(poolsText(p.pools)).toEqual(['10.0.0.2-10.0.0.254']);
    expect(p.capacity).toBe(253n);
    expect(shown(p.reserved)).toEqual(['10.0.0.0', '10.0.0.255']);
  });

  it('a gateway in the middle splits the pool in two', () => {
    const p = plan({ cidr: cidr('10.0.0.0/24'), gateway: ip('10.0.0.100'), profile: 'openstack' });
    expect(poolsText(p.pools)).toEqual(['10.0.0.1-10.0.0.99', '10.0.0.101-10.0.0.254']);
    expect(p.capacity).toBe(253n);
  });

  it('a gateway at the last host leaves one pool', () => {
    const p = plan({ cidr: cidr('10.0.0.0/24'), gateway: ip('10.0.0.254'), profile: 'openstack' });
    expect(poolsText(p.pools)).toEqual(['10.0.0.1-10.0.0.253']);
  });

  it('gateway: null gives the whole range less network and broadcast', () => {
    const p = plan({ cidr: cidr('192.168.8.0/22'), gateway: null, profile: 'openstack' });
    expect(p.gateway).toBeNull();
    expect(poolsText(p.pools)).toEqual(['192.168.8.1-192.168.11.254']);
    expect(p.capacity).toBe(1022n);
  });

  it('/30: two hosts, one of them the gateway', () => {
    const p = plan({ cidr: cidr('10.0.0.4/30'), profile: 'openstack' });
    expect(poolsText(p.pools)).toEqual(['10.0.0.6-10.0.0.6']);
    expect(p.capacity).toBe(1n);
  });

  it('/31 uses both addresses and has no default gateway (RFC 3021)', () => {
    const p = plan({ cidr: cidr('10.0.0.0/31'), profile: 'openstack' });
    expect(p.gateway).toBeNull();
    expect(p.reserved).toEqual([]);
    expect(poolsText(p.pools)).toEqual(['10.0.0.0-10.0.0.1']);
    expect(p.capacity).toBe(2n);
  });

  it('/31 takes neither address as an explicit gateway (check_gateway_invalid_in_subnet: first and last)', () => {
    for (const gw of ['10.0.0.0', '10.0.0.1']) {
      expect(codes({ cidr: cidr('10.0.0.0/31'), gateway: ip(gw), profile: 'openstack' })).toEqual([{ code: 'gateway-reserved', field: 'gateway' }]);
    }
    expect(codes({ cidr: cidr('203.0.113.7/32'), gateway: ip('203.0.113.7'), profile: 'openstack' })).toEqual([{ code: 'gateway-reserved', field: 'gateway' }]);
    const r = planSubnet({ cidr: cidr('10.0.0.0/31'), gateway: ip('10.0.0.0'), profile: 'openstack' });
    expect(!r.ok && r.errors[0]?.message).toContain('gateway: null');
  });

  it('/32 is a single usable address', () => {
    const p = plan({ cidr: cidr('203.0.113.7/32'), profile: 'openstack' });
    expect(p.gateway).toBeNull();
    expect(poolsText(p.pools)).toEqual(['203.0.113.7-203.0.113.7']);
    expect(p.capacity).toBe(1n);
  });

  it('explicit pools are kept as written, sorted, adjacent ones not merged', () => {
    const p = plan({
      cidr: cidr('10.0.0.0/24'), profile: 'openstack',
      pools: [range('10.0.0.51', '10.0.0.100'), range('10.0.0.10', '10.0.0.50')],
    });
    expect(poolsText(p.pools)).toEqual(['10.0.0.10-10.0.0.50', '10.0.0.51-10.0.0.100']);
    expect(p.capacity).toBe(91n);
  });

  it('an empty pool list is allowed: fixed IPs only', () => {
    const p = plan({ cidr: cidr('10.0.0.0/24'), profile: 'openstack', pools: [] });
    expect(p.capacity).toBe(0n);
  });
});

describe('planSubnet, openstack IPv6', () => {
  it('2001:db8::/64: gateway is the subnet-router anycast address, pool ::1 to the last address', () => {
    const p = plan({ cidr: cidr('2001:db8::/64'), profile: 'openstack' });
    expect(p.gateway && formatIp(p.gateway)).toBe('2001:db8::');
    expect(poolsText(p.pools)).toEqual(['2001:db8::1-2001:db8::ffff:ffff:ffff:ffff']);
    expect(p.capacity).toBe((1n << 64n) - 1n);
    expect(p.reserved).toEqual([]);
  });

  it('with no gateway the anycast address is still kept out', () => {
    const p = plan({ cidr: cidr('2001:db8::/64'), gateway: null, profile: 'openstack' });
    expect(shown(p.reserved)).toEqual(['2001:db8::']);
    expect(p.capacity).toBe((1n << 64n) - 1n);
  });

  it('an explicit gateway ::1 is taken out of the pool as well', () => {
    const p = plan({ cidr: cidr('2001:db8::/64'), gateway: ip('2001:db8::1'), profile: 'openstack' });
    expect(poolsText(p.pools)).toEqual(['2001:db8::2-2001:db8::ffff:ffff:ffff:ffff']);
    expect(p.capacity).toBe((1n << 64n) - 2n);
  });

  it('there is no broadcast: the last address may be the gateway', () => {
    const p = plan({ cidr: cidr('2001:db8::/120'), gateway: ip('2001:db8::ff'), profile: 'openstack' });
    expect(poolsText(p.pools)).toEqual(['2001:db8::1-2001:db8::fe']);
  });

  it('/127 and /128 use their whole range', () => {
    expect(poolsText(plan({ cidr: cidr('2001:db8::/127'), profile: 'openstack' }).pools)).toEqual(['2001:db8::-2001:db8::1']);
    const single = plan({ cidr: cidr('2001:db8::5/128'), profile: 'openstack' });
    expect(single.gateway).toBeNull();
    expect(single.capacity).toBe(1n);
  });

  it('dhcpv6-stateful works on any prefix', () => {
    expect(planSubnet({ cidr: cidr('2001:db8::/80'), profile: 'openstack', ipv6AddressMode: 'dhcpv6-stateful' }).ok).toBe(true);
  });
});

describe('planSubnet, aws profile (VPC subnet rules)', () => {
  it('10.0.0.0/24: reserves .0-.3 and .255, router at .1, pool .4-.254, 251 addresses', () => {
    const p = plan({ cidr: cidr('10.0.0.0/24'), profile: 'aws' });
    expect(p.gateway && formatIp(p.gateway)).toBe('10.0.0.1');
    expect(shown(p.reserved)).toEqual(['10.0.0.0', '10.0.0.2', '10.0.0.3', '10.0.0.255']);
    expect(poolsText(p.pools)).toEqual(['10.0.0.4-10.0.0.254']);
    expect(p.capacity).toBe(251n);
  });

  it('accepts /16 and /28, the VPC limits', () => {
    expect(plan({ cidr: cidr('10.1.0.0/16'), profile: 'aws' }).capacity).toBe(65531n);
    expect(plan({ cidr: cidr('10.1.0.16/28'), profile: 'aws' }).capacity).toBe(11n);
  });

  it('accepts the router address given explicitly', () => {
    expect(planSubnet({ cidr: cidr('10.0.0.0/24'), gateway: ip('10.0.0.1'), profile: 'aws' }).ok).toBe(true);
  });

  it('refuses prefixes outside /16-/28', () => {
    expect(codes({ cidr: cidr('10.0.0.0/29'), profile: 'aws' })).toEqual([{ code: 'aws-prefix', field: 'cidr' }]);
    expect(codes({ cidr: cidr('10.0.0.0/15'), profile: 'aws' })).toEqual([{ code: 'aws-prefix', field: 'cidr' }]);
  });

  it('refuses any gateway but the VPC router, and no gateway', () => {
    expect(codes({ cidr: cidr('10.0.0.0/24'), gateway: ip('10.0.0.5'), profile: 'aws' })).toEqual([{ code: 'aws-gateway', field: 'gateway' }]);
    expect(codes({ cidr: cidr('10.0.0.0/24'), gateway: null, profile: 'aws' })).toEqual([{ code: 'aws-gateway', field: 'gateway' }]);
  });

  it('IPv6: reserves the first four and the last address too, /44-/64 only', () => {
    const p = plan({ cidr: cidr('2001:db8::/64'), profile: 'aws' });
    expect(p.gateway && formatIp(p.gateway)).toBe('2001:db8::1');
    expect(shown(p.reserved)).toEqual(['2001:db8::', '2001:db8::2', '2001:db8::3', '2001:db8::ffff:ffff:ffff:ffff']);
    expect(p.capacity).toBe((1n << 64n) - 5n);
    expect(codes({ cidr: cidr('2001:db8::/80'), profile: 'aws' })).toEqual([{ code: 'aws-prefix', field: 'cidr' }]);
    expect(codes({ cidr: cidr('2001:db8::/62'), profile: 'aws' })).toEqual([{ code: 'aws-prefix', field: 'cidr' }]);
  });

  it('refuses a pool over an AWS-reserved address', () => {
    expect(codes({ cidr: cidr('10.0.0.0/24'), profile: 'aws', pools: [range('10.0.0.3', '10.0.0.9')] }))
      .toEqual([{ code: 'pool-reserved', field: 'pools', index: 0 }]);
  });
});

describe('planSubnet errors', () => {
  const net = cidr('10.0.0.0/24');

  it('gateway-outside: another subnet or another IP version', () => {
    expect(codes({ cidr: net, gateway: ip('10.0.1.1'), profile: 'openstack' })).toEqual([{ code: 'gateway-outside', field: 'gateway' }]);
    expect(codes({ cidr: net, gateway: ip('2001:db8::1'), profile: 'openstack' })).toEqual([{ code: 'gateway-outside', field: 'gateway' }]);
  });

  it('gateway-reserved: the IPv4 network or broadcast address', () => {
    expect(codes({ cidr: net, gateway: ip('10.0.0.0'), profile: 'openstack' })).toEqual([{ code: 'gateway-reserved', field: 'gateway' }]);
    const r = planSubnet({ cidr: net, gateway: ip('10.0.0.255'), profile: 'openstack' });
    expect(!r.ok && r.errors[0]?.code).toBe('gateway-reserved');
    expect(!r.ok && r.errors[0]?.message).toContain('10.0.0.255');
  });

  it('zero-prefix: 0.0.0.0/0 and ::/0 are not subnets (Neutron _validate_subnet_cidr)', () => {
    expect(codes({ cidr: cidr('0.0.0.0/0'), profile: 'openstack' })).toEqual([{ code: 'zero-prefix', field: 'cidr' }]);
    expect(codes({ cidr: cidr('::/0'), profile: 'openstack' })).toEqual([{ code: 'zero-prefix', field: 'cidr' }]);
    expect(codes({ cidr: cidr('0.0.0.0/0'), profile: 'aws', gateway: ip('10.0.0.1') })).toEqual([{ code: 'zero-prefix', field: 'cidr' }]);
    // /1 is the shortest prefix Neutron takes.
    expect(planSubnet({ cidr: cidr('0.0.0.0/1'), profile: 'openstack' }).ok).toBe(true);
  });

  it('pool-reversed names both ends', () => {
    const r = planSubnet({ cidr: net, profile: 'openstack', pools: [range('10.0.0.50', '10.0.0.10')] });
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.index])).toEqual([['pool-reversed', 0]]);
    expect(!r.ok && r.errors[0]?.message).toMatch(/10\.0\.0\.50.*10\.0\.0\.10/);
  });

  it('pool-outside: beyond the CIDR or of the other version', () => {
    expect(codes({ cidr: net, profile: 'openstack', pools: [range('10.0.0.200', '10.0.1.10')] }))
      .toEqual([{ code: 'pool-outside', field: 'pools', index: 0 }]);
    expect(codes({ cidr: net, profile: 'openstack', pools: [range('10.0.0.10', '10.0.0.20'), range('2001:db8::1', '2001:db8::9')] }))
      .toEqual([{ code: 'pool-outside', field: 'pools', index: 1 }]);
  });

  it('pool-reserved: a pool over the network or the broadcast address', () => {
    expect(codes({ cidr: net, gateway: null, profile: 'openstack', pools: [range('10.0.0.0', '10.0.0.9')] }))
      .toEqual([{ code: 'pool-reserved', field: 'pools', index: 0 }]);
    // With the default gateway .1 inside too, both problems are reported.
    expect(codes({ cidr: net, profile: 'openstack', pools: [range('10.0.0.0', '10.0.0.9')] }).map((e) => e.code))
      .toEqual(['pool-reserved', 'gateway-in-pool']);
    const r = planSubnet({ cidr: net, profile: 'openstack', pools: [range('10.0.0.10', '10.0.0.255')] });
    expect(!r.ok && r.errors[0]?.message).toContain('broadcast address 10.0.0.255');
  });

  it('pool-reserved: an IPv6 pool over the anycast address when it is not the gateway', () => {
    expect(codes({ cidr: cidr('2001:db8::/64'), gateway: null, profile: 'openstack', pools: [range('2001:db8::', '2001:db8::ff')] }))
      .toEqual([{ code: 'pool-reserved', field: 'pools', index: 0 }]);
  });

  it('pool-overlap points at the later pool and names both', () => {
    const r = planSubnet({ cidr: net, profile: 'openstack', pools: [range('10.0.0.100', '10.0.0.200'), range('10.0.0.10', '10.0.0.100')] });
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.index])).toEqual([['pool-overlap', 0]]);
    expect(!r.ok && r.errors[0]?.message).toBe('pool 10.0.0.100-10.0.0.200 overlaps pool 10.0.0.10-10.0.0.100');
  });

  it('pool-overlap: a pool nested in an earlier wide one', () => {
    expect(codes({ cidr: net, profile: 'openstack', pools: [range('10.0.0.10', '10.0.0.200'), range('10.0.0.20', '10.0.0.30'), range('10.0.0.40', '10.0.0.50')] }))
      .toEqual([{ code: 'pool-overlap', field: 'pools', index: 1 }, { code: 'pool-overlap', field: 'pools', index: 2 }]);
  });

  it('gateway-in-pool: explicit gateway inside an explicit pool', () => {
    expect(codes({ cidr: net, gateway: ip('10.0.0.20'), profile: 'openstack', pools: [range('10.0.0.10', '10.0.0.30')] }))
      .toEqual([{ code: 'gateway-in-pool', field: 'pools', index: 0 }]);
  });

  it('gateway-in-pool: the default gateway inside an explicit pool, as Neutron', () => {
    const r = planSubnet({ cidr: net, profile: 'openstack', pools: [range('10.0.0.1', '10.0.0.30')] });
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual(['gateway-in-pool']);
    expect(!r.ok && r.errors[0]?.message).toContain('default gateway 10.0.0.1');
  });

  it('slaac-prefix: slaac and dhcpv6-stateless need a /64', () => {
    expect(codes({ cidr: cidr('2001:db8::/80'), profile: 'openstack', ipv6AddressMode: 'slaac' }))
      .toEqual([{ code: 'slaac-prefix', field: 'ipv6_address_mode' }]);
    expect(codes({ cidr: cidr('2001:db8::/56'), profile: 'openstack', ipv6AddressMode: 'dhcpv6-stateless' }))
      .toEqual([{ code: 'slaac-prefix', field: 'ipv6_address_mode' }]);
    expect(planSubnet({ cidr: cidr('2001:db8::/64'), profile: 'openstack', ipv6AddressMode: 'slaac' }).ok).toBe(true);
  });

  it('ipv6-mode-on-ipv4', () => {
    expect(codes({ cidr: net, profile: 'openstack', ipv6AddressMode: 'slaac' }))
      .toEqual([{ code: 'ipv6-mode-on-ipv4', field: 'ipv6_address_mode' }]);
  });

  it('collects every error, not only the first', () => {
    expect(codes({
      cidr: net, gateway: ip('10.9.9.9'), profile: 'openstack', ipv6AddressMode: 'slaac',
      pools: [range('10.0.0.90', '10.0.0.80'), range('10.0.0.0', '10.0.0.40'), range('10.0.0.30', '10.0.0.60')],
    })).toEqual([
      { code: 'ipv6-mode-on-ipv4', field: 'ipv6_address_mode' },
      { code: 'gateway-outside', field: 'gateway' },
      { code: 'pool-reversed', field: 'pools', index: 0 },
      { code: 'pool-reserved', field: 'pools', index: 1 },
      { code: 'pool-overlap', field: 'pools', index: 2 },
    ]);
  });
});

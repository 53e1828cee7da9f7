import { describe, expect, it } from 'vitest';
import { formatIp } from '../../../src/address/ip.js';
import { NEUTRON_WINDOW, SubnetAllocator, type AllocResult } from '../../../src/ipam/subnet-allocator.js';
import { planSubnet, type SubnetPlanInput } from '../../../src/ipam/subnet-plan.js';
import { createRng } from '../../../src/util/rng.js';
import { cidr, ip, range } from './helpers.js';

function allocator(input: SubnetPlanInput): SubnetAllocator {
  const r = planSubnet(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return new SubnetAllocator(r.plan);
}
const v4 = (text: string, extra: Partial<SubnetPlanInput> = {}): SubnetAllocator =>
  allocator({ cidr: cidr(text), profile: 'openstack', ...extra });
const shown = (r: AllocResult): string => (r.ok ? formatIp(r.ip) : `error ${r.error.code}`);
const code = (r: AllocResult): string => (r.ok ? 'ok' : r.error.code);

describe('SubnetAllocator.allocate, lowest', () => {
  it('walks the pool upward and reports exhaustion with the capacity', () => {
    const a = v4('10.0.0.0/29');
    expect(a.capacity).toBe(5n);
    const got = Array.from({ length: 5 }, (_, i) => shown(a.allocate(`p${i}`)));
    expect(got).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    const r = a.allocate('p5');
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error).toEqual({ code: 'exhausted', message: 'no free address left in 10.0.0.0/29 (capacity 5 addresses, 5 in use)' });
  });

  it('jumps over a gateway in the middle', () => {
    const a = v4('10.0.0.0/29', { gateway: ip('10.0.0.3') });
    expect(Array.from({ length: 5 }, () => shown(a.allocate('p'))))
      .toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
  });

  it('skips addresses claimed as fixed IPs', () => {
    const a = v4('10.0.0.0/24');
    a.claim(ip('10.0.0.2'), 'fixed');
    expect(shown(a.allocate('p'))).toBe('10.0.0.3');
  });

  it('starts AWS subnets at .4', () => {
    expect(shown(allocator({ cidr: cidr('10.0.0.0/24'), profile: 'aws' }).allocate('p'))).toBe('10.0.0.4');
  });

  it('starts IPv6 subnets at ::1', () => {
    expect(shown(allocator({ cidr: cidr('2001:db8::/64'), profile: 'openstack' }).allocate('p'))).toBe('2001:db8::1');
  });

  it('counts in-use pool addresses only in the exhaustion message', () => {
    const a = v4('10.0.0.0/24', { pools: [range('10.0.0.10', '10.0.0.10')] });
    a.claim(ip('10.0.0.200'), 'outside-pool');
    a.allocate('p');
    expect(a.allocate('q')).toMatchObject({ ok: false, error: { message: 'no free address left in 10.0.0.0/24 (capacity 1 address, 1 in use)' } });
  });
});

describe('SubnetAllocator.allocate, neutron (NeutronDbSubnet._generate_ips)', () => {
  it('picks inside the first 1,000 free addresses', () => {
    const a = v4('10.0.0.0/16');
    const rng = createRng(7);
    for (let i = 0; i < 200; i++) {
      // The 1,000th free address lies at most i places beyond .2 + 999, one per address taken.
      const limit = ip('10.0.0.2').value + BigInt(NEUTRON_WINDOW - 1 + i);
      const r = a.allocate(`p${i}`, 'neutron', rng);
      expect(r.ok && r.ip.value <= limit).toBe(true);
    }
    expect(a.used()).toBe(200);
  });

  it('is not lowest-first, and repeats for the same seed', () => {
    const run = (seed: number): string[] => {
      const a = v4('10.0.0.0/16');
      const rng = createRng(seed);
      return Array.from({ length: 20 }, (_, i) => shown(a.allocate(`p${i}`, 'neutron', rng)));
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(Array.from({ length: 20 }, (_, i) => `10.0.1.${i + 2}`));
    expect(run(42)).not.toEqual(run(43));
  });

  it('samples one pool at a time: the window never spans into the next pool', () => {
    const a = v4('10.0.0.0/24', { pools: [range('10.0.0.2', '10.0.0.4'), range('10.0.0.10', '10.0.0.250')] });
    const rng = createRng(3);
    const first = Array.from({ length: 3 }, () => shown(a.allocate('p', 'neutron', rng))).sort();
    expect(first).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4']);
    const next = a.allocate('p', 'neutron', rng);
    expect(next.ok && next.ip.value >= ip('10.0.0.10').value).toBe(true);
  });

  it('needs the seeded rng', () => {
    expect(() => v4('10.0.0.0/24').allocate('p', 'neutron')).toThrow(TypeError);
  });
});

describe('SubnetAllocator.claim (fixed IPs)', () => {
  it('accepts an address outside the pools but inside the CIDR, as Neutron', () => {
    const a = v4('10.0.0.0/24', { pools: [range('10.0.0.100', '10.0.0.200')] });
    expect(shown(a.claim(ip('10.0.0.5'), 'port-a'))).toBe('10.0.0.5');
    expect(a.freeInPools()).toBe(101n);
    expect(a.ownerOf(ip('10.0.0.5'))).toBe('port-a');
  });

  it('takes a pool address out of the free set', () => {
    const a = v4('10.0.0.0/24');
    a.claim(ip('10.0.0.50'), 'port-a');
    expect(a.freeInPools()).toBe(252n);
  });

  it('refuses an address outside the subnet', () => {
    const a = v4('10.0.0.0/24');
    const r = a.claim(ip('10.0.1.5'), 'p');
    expect(r.ok ? '' : r.error).toEqual({ code: 'outside-subnet', message: '10.0.1.5 is outside 10.0.0.0/24' });
    expect(code(a.claim(ip('2001:db8::5'), 'p'))).toBe('outside-subnet');
  });

  it('refuses the network and broadcast addresses', () => {
    const a = v4('10.0.0.0/24');
    expect(code(a.claim(ip('10.0.0.0'), 'p'))).toBe('reserved');
    const r = a.claim(ip('10.0.0.255'), 'p');
    expect(r.ok ? '' : r.error.message).toContain('broadcast address 10.0.0.255');
  });

  it("refuses AWS's reserved addresses and its router", () => {
    const a = allocator({ cidr: cidr('10.0.0.0/24'), profile: 'aws' });
    expect(['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.255', '10.0.0.4'].map((t) => code(a.claim(ip(t), 'p'))))
      .toEqual(['reserved', 'gateway', 'reserved', 'reserved', 'reserved', 'ok']);
  });

  it('lets a port take the gateway while no router holds it (Neutron check_subnet_ip), then refuses the router', () => {
    const a = v4('10.0.0.0/24');
    expect(code(a.claim(ip('10.0.0.1'), 'vm/eth0'))).toBe('ok');
    expect(a.ownerOf(ip('10.0.0.1'))).toBe('vm/eth0');
    const r = a.claimGateway('router-1');
    expect(r.ok ? '' : r.error.code).toBe('taken');
    expect(r.ok ? '' : r.error.message).toContain('vm/eth0');
    // The other way round: the router first, then the port finds it taken.
    const b = allocator({ cidr: cidr('2001:db8::/64'), profile: 'openstack' });
    expect(code(b.claimGateway('router-1'))).toBe('ok');
    expect(code(b.claim(ip('2001:db8::'), 'p'))).toBe('taken');
    // The gateway is outside every pool: taking it leaves the pool as it was.
    expect(a.freeInPools()).toBe(253n);
  });

  it('refuses the IPv4 network address of a /31 or /32 as a fixed IP (check_subnet_ip), though the pool holds it', () => {
    const p31 = v4('10.0.0.0/31');
    expect(code(p31.claim(ip('10.0.0.0'), 'a'))).toBe('reserved');
    expect(code(p31.claim(ip('10.0.0.1'), 'b'))).toBe('ok');
    expect(shown(p31.allocate('c'))).toBe('10.0.0.0');
    const p32 = v4('203.0.113.7/32');
    expect(code(p32.claim(ip('203.0.113.7'), 'a'))).toBe('reserved');
    expect(shown(p32.allocate('b'))).toBe('203.0.113.7');
  });

  it('refuses an address already taken, naming the owner', () => {
    const a = v4('10.0.0.0/24');
    a.claim(ip('10.0.0.7'), 'web-1');
    const r = a.claim(ip('10.0.0.7'), 'web-2');
    expect(r.ok ? '' : r.error).toEqual({ code: 'taken', message: '10.0.0.7 is already used by web-1' });
    const alloc = a.allocate('db-1');
    expect(alloc.ok && code(a.claim(alloc.ip, 'db-2'))).toBe('taken');
  });

});

describe('SubnetAllocator.claimGateway', () => {
  it('records the router interface on the gateway once', () => {
    const a = v4('10.0.0.0/24');
    expect(shown(a.claimGateway('router-1'))).toBe('10.0.0.1');
    expect(a.ownerOf(ip('10.0.0.1'))).toBe('router-1');
    expect(code(a.claimGateway('router-2'))).toBe('taken');
    expect(a.freeInPools()).toBe(253n);
    expect(code(v4('10.0.0.0/24', { gateway: null }).claimGateway('r'))).toBe('no-gateway');
  });
});

describe('SubnetAllocator.release', () => {
  it('puts a pool address back, to be handed out first again', () => {
    const a = v4('10.0.0.0/24');
    a.allocate('a');
    a.allocate('b');
    expect(a.release(ip('10.0.0.2'))).toBe(true);
    expect(a.ownerOf(ip('10.0.0.2'))).toBeUndefined();
    expect(shown(a.allocate('c'))).toBe('10.0.0.2');
  });

  it('only forgets a fixed IP outside the pools', () => {
    const a = v4('10.0.0.0/24', { pools: [range('10.0.0.100', '10.0.0.200')] });
    a.claim(ip('10.0.0.5'), 'p');
    expect(a.release(ip('10.0.0.5'))).toBe(true);
    expect(a.freeInPools()).toBe(101n);
    expect(a.freeIntervals()).toEqual([{ lo: ip('10.0.0.100').value, hi: ip('10.0.0.200').value }]);
  });

  it('returns false for an address nobody holds', () => {
    const a = v4('10.0.0.0/24');
    expect(a.release(ip('10.0.0.9'))).toBe(false);
    expect(a.release(ip('10.0.0.1'))).toBe(false);
    expect(a.freeInPools()).toBe(253n);
  });

  it('restores the initial free intervals after allocate-all, release-all', () => {
    const a = v4('10.0.0.0/26', { gateway: ip('10.0.0.30') });
    const before = a.freeIntervals();
    const got: string[] = [];
    for (let r = a.allocate('p'); r.ok; r = a.allocate('p')) got.push(formatIp(r.ip));
    expect(got.length).toBe(61);
    for (const t of got.reverse()) a.release(ip(t));
    expect(a.freeIntervals()).toEqual(before);
    expect(a.used()).toBe(0);
  });
});

describe('SubnetAllocator.allocations', () => {
  it('lists owners sorted by address, not by time', () => {
    const a = v4('10.0.0.0/24');
    a.claim(ip('10.0.0.100'), 'late');
    a.allocate('first');
    a.claim(ip('10.0.0.50'), 'mid');
    expect(a.allocations().map((x) => `${formatIp(x.ip)} ${x.owner}`)).toEqual(['10.0.0.2 first', '10.0.0.50 mid', '10.0.0.100 late']);
    expect(a.used()).toBe(3);
  });
});

// A load balancer only picks healthy, admin-up members with weight; with none it refuses.
// Round robin spreads connections in proportion to weights; source hashes are stable.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Balancer } from '../../../src/lb/balancer.js';
import { nftJhashBucket, VNET_JHASH_SEED } from '../../../src/lb/jhash.js';
import type { LoadBalancer } from '../../../src/topology/model.js';

const member = fc.record({ weight: fc.integer({ min: 0, max: 5 }), adminStateUp: fc.boolean(), up: fc.boolean() });
const algorithm = fc.constantFrom('round_robin', 'least_connections', 'source_ip', 'source_ip_port') as fc.Arbitrary<LoadBalancer['pools'][number]['algorithm']>;

function balancer(members: { weight: number; adminStateUp: boolean }[], algo: LoadBalancer['pools'][number]['algorithm']): Balancer {
  const lb: LoadBalancer = {
    name: 'lb', project: 'admin', subnet: 'web', vip: { text: '10.0.0.100', ip: { version: 4, value: 0x0a000064n } }, vipPort: 'lb/vip', mode: 'dnat',
    listeners: [{ protocol: 'tcp', port: 80, pool: 'p' }],
    pools: [{ name: 'p', algorithm: algo, healthMonitor: null, members: members.map((m, i) => ({ instance: `m${i}`, port: `m${i}/eth0`, address: { text: `10.0.0.${10 + i}`, ip: { version: 4, value: BigInt(0x0a00000a + i) } }, protocolPort: 80, weight: m.weight, adminStateUp: m.adminStateUp })) }],
  };
  return new Balancer(lb, 0x0a000064, (m) => Number(m.address.ip.value));
}

describe('load balancer member choice', () => {
  it('only healthy, admin-up members with weight are ever picked; none → refused', () => {
    fc.assert(fc.property(fc.array(member, { minLength: 1, maxLength: 6 }), algorithm, fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 65535 })), { minLength: 1, maxLength: 20 }), (ms, algo, clients) => {
      const b = balancer(ms, algo);
      const pool = b.listenerPool('tcp', 80)!;
      pool.members.forEach((m, i) => { m.health = ms[i]!.up ? 'up' : 'down'; });
      const eligible = ms.some((m) => m.up && m.adminStateUp && m.weight > 0);
      for (const [ip, port] of clients) {
        const pick = b.pick(pool, { src: ip, sport: port });
        expect(pick.ok).toBe(eligible);
        if (pick.ok) {
          const i = pool.members.indexOf(pick.member);
          expect(ms[i]!.up && ms[i]!.adminStateUp && ms[i]!.weight > 0).toBe(true);
        }
      }
    }), { numRuns: 500 });
  });

  it('round robin gives each healthy member its weight\'s share of every full cycle', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }), (weights) => {
      const b = balancer(weights.map((weight) => ({ weight, adminStateUp: true })), 'round_robin');
      const pool = b.listenerPool('tcp', 80)!;
      const total = weights.reduce((a, c) => a + c, 0);
      const counts = new Map<string, number>();
      for (let i = 0; i < total * 3; i++) {
        const pick = b.pick(pool, { src: 1, sport: i + 1 });
        if (!pick.ok) throw new Error('no member');
        counts.set(pick.member.member.instance, (counts.get(pick.member.member.instance) ?? 0) + 1);
      }
      weights.forEach((w, i) => expect(counts.get(`m${i}`)).toBe(w * 3));
    }), { numRuns: 200 });
  });

  it('source_ip sends one client to one member while health does not change', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 5 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.array(fc.integer({ min: 1, max: 65535 }), { minLength: 2, maxLength: 10 }), (weights, ip, ports) => {
      const b = balancer(weights.map((weight) => ({ weight, adminStateUp: true })), 'source_ip');
      const pool = b.listenerPool('tcp', 80)!;
      const picks = new Set(ports.map((p) => { const r = b.pick(pool, { src: ip, sport: p }); return r.ok ? r.member.member.instance : '-'; }));
      expect(picks.size).toBe(1);
    }), { numRuns: 200 });
  });

  it('source hashing takes nftables\' bucket (jhash … mod total weight) and the member whose weight covers it, in member order', () => {
    // The contract `vnet realize` relies on: the same bucket maps to the same member in the kernel.
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 65535 }), fc.boolean(), (weights, ip, port, byPort) => {
      const b = balancer(weights.map((weight) => ({ weight, adminStateUp: true })), byPort ? 'source_ip_port' : 'source_ip');
      const pick = b.pick(b.listenerPool('tcp', 80)!, { src: ip, sport: port });
      if (!pick.ok) throw new Error('no member');
      let bucket = nftJhashBucket(VNET_JHASH_SEED, weights.reduce((a, c) => a + c, 0), ip, byPort ? port : undefined);
      const owner = weights.findIndex((w) => (bucket -= w) < 0);
      expect(pick.member.member.instance).toBe(`m${owner}`);
    }), { numRuns: 300 });
  });
});

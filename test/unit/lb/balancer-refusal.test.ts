/**
 * A balancer's refusal (src/lb/balancer.ts's pick with no eligible member) lists every member
 * that is down, in pool order, comma-separated; admin-down and weightless members that are
 * healthy are not listed. From npm run mutate's survivor on the separator.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Balancer } from '../../../src/lb/balancer.js';
import type { LoadBalancer } from '../../../src/topology/model.js';

const VIP = 0x0a000064;

function balancer(n: number): Balancer {
  const lb: LoadBalancer = {
    name: 'lb', project: 'admin', subnet: 'web', vip: { text: '10.0.0.100', ip: { version: 4, value: BigInt(VIP) } }, vipPort: 'lb/vip', mode: 'dnat',
    listeners: [{ protocol: 'tcp', port: 80, pool: 'web' }],
    pools: [{
      name: 'web', algorithm: 'round_robin', healthMonitor: null,
      members: Array.from({ length: n }, (_, i) => ({ instance: `m${i}`, port: `m${i}/eth0`, address: { text: `10.0.0.${10 + i}`, ip: { version: 4, value: BigInt(0x0a00000a + i) } }, protocolPort: 8080, weight: 1, adminStateUp: true })),
    }],
  };
  return new Balancer(lb, VIP, (m) => Number(m.address.ip.value));
}

describe('a refusal\'s list of members down', () => {
  it('two members down: both named, comma-separated, in pool order', () => {
    const b = balancer(2);
    const pool = b.listenerPool('tcp', 80)!;
    for (const m of pool.members) m.health = 'down';
    expect(b.pick(pool, { src: 1, sport: 1 })).toEqual({ ok: false, reason: 'no healthy member in pool web (down: m0, m1)' });
  });

  it('any mix of down, admin-down and weightless members with none eligible: exactly the down ones, in order', () => {
    // Each member is down, or up but admin-down, or up but weightless: none is eligible.
    const state = fc.constantFrom('down', 'admin-down', 'weightless');
    fc.assert(fc.property(fc.array(state, { minLength: 1, maxLength: 6 }), (states) => {
      const b = balancer(states.length);
      const pool = b.listenerPool('tcp', 80)!;
      const members = pool.members as { member: { adminStateUp: boolean; weight: number }; health: string }[];
      states.forEach((s, i) => {
        const m = members[i]!;
        if (s === 'down') m.health = 'down';
        if (s === 'admin-down') m.member = { ...m.member, adminStateUp: false };
        if (s === 'weightless') m.member = { ...m.member, weight: 0 };
      });
      const down = states.flatMap((s, i) => (s === 'down' ? [`m${i}`] : []));
      expect(b.pick(pool, { src: 1, sport: 1 })).toEqual({ ok: false, reason: `no healthy member in pool web${down.length ? ` (down: ${down.join(', ')})` : ''}` });
    }), { numRuns: 200 });
  });
});

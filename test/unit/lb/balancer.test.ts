/**
 * The balancer's choice (src/lb/balancer.ts) beyond test/property/lb/balancer.test.ts: weighted
 * least_connections (fewest connections per unit of weight, ties to the first listed) against an
 * oracle, weighted round robin's exact order, what a refusal names, a source hash's reason, and
 * which listener a protocol and port reach.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Balancer } from '../../../src/lb/balancer.js';
import { selectMember } from '../../../src/lb/select.js';
import type { LoadBalancer } from '../../../src/topology/model.js';

type Algorithm = LoadBalancer['pools'][number]['algorithm'];
const VIP = 0x0a000064;

function balancer(weights: readonly number[], algorithm: Algorithm, adminUp: readonly boolean[] = []): Balancer {
  const lb: LoadBalancer = {
    name: 'lb', project: 'admin', subnet: 'web', vip: { text: '10.0.0.100', ip: { version: 4, value: BigInt(VIP) } }, vipPort: 'lb/vip', mode: 'dnat',
    listeners: [{ protocol: 'tcp', port: 80, pool: 'web' }, { protocol: 'udp', port: 53, pool: 'dns' }],
    pools: [
      { name: 'web', algorithm, healthMonitor: null, members: weights.map((weight, i) => ({ instance: `m${i}`, port: `m${i}/eth0`, address: { text: `10.0.0.${10 + i}`, ip: { version: 4, value: BigInt(0x0a00000a + i) } }, protocolPort: 8080, weight, adminStateUp: adminUp[i] ?? true })) },
      { name: 'dns', algorithm: 'round_robin', healthMonitor: null, members: [{ instance: 'ns', port: 'ns/eth0', address: { text: '10.0.0.53', ip: { version: 4, value: 0x0a000035n } }, protocolPort: 53, weight: 1, adminStateUp: true }] },
    ],
  };
  return new Balancer(lb, VIP, (m) => Number(m.address.ip.value));
}

/** n new connections through lb.select (which counts each on its member); the members chosen. */
function connect(b: Balancer, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const s = selectMember(b, 'tcp', 80, { src: 0xc6336407, sport: 40000 + i });
    return s.kind === 'select' ? s.member.member.instance : s.kind;
  });
}

describe('least_connections, weighted', () => {
  it('weights 3 and 1: the heavier member takes three connections for each of the lighter one\'s', () => {
    // Ratios (connections / weight) before each choice: 0|0 → m0; ⅓|0 → m1; ⅓|1 → m0; ⅔|1 → m0; 1|1 → m0 (tie: first); 4⁄3|1 → m1 …
    expect(connect(balancer([3, 1], 'least_connections'), 8)).toEqual(['m0', 'm1', 'm0', 'm0', 'm0', 'm1', 'm0', 'm0']);
  });

  it('weights 1 and 3: the order of the list does not favour the first beyond ties', () => {
    expect(connect(balancer([1, 3], 'least_connections'), 8)).toEqual(['m0', 'm1', 'm1', 'm1', 'm0', 'm1', 'm1', 'm1']);
  });

  it('counts the connections of the member chosen in its reason', () => {
    const b = balancer([1, 1], 'least_connections');
    const pool = b.listenerPool('tcp', 80)!;
    pool.members[0]!.connections = 5;
    pool.members[1]!.connections = 2;
    expect(b.pick(pool, { src: 1, sport: 1 })).toMatchObject({ ok: true, member: { member: { instance: 'm1' } }, why: 'fewest connections (2)' });
  });

  it('picks, among eligible members, the lowest connections per weight, the first listed on a tie (any weights, counts, states)', () => {
    const member = fc.record({ weight: fc.integer({ min: 0, max: 6 }), connections: fc.nat({ max: 12 }), adminUp: fc.boolean(), up: fc.boolean() });
    fc.assert(fc.property(fc.array(member, { minLength: 1, maxLength: 6 }), (ms) => {
      const b = balancer(ms.map((m) => m.weight), 'least_connections', ms.map((m) => m.adminUp));
      const pool = b.listenerPool('tcp', 80)!;
      pool.members.forEach((s, i) => { s.connections = ms[i]!.connections; s.health = ms[i]!.up ? 'up' : 'down'; });
      // The oracle: sort the eligible members by connections / weight (cross-multiplied, exact), then by position.
      const eligible = ms.map((m, i) => ({ ...m, i })).filter((m) => m.adminUp && m.up && m.weight > 0);
      const pick = b.pick(pool, { src: 1, sport: 1 });
      if (eligible.length === 0) {
        expect(pick.ok).toBe(false);
        return;
      }
      const best = [...eligible].sort((x, y) => x.connections * y.weight - y.connections * x.weight || x.i - y.i)[0]!;
      expect(pick.ok && pick.member).toBe(pool.members[best.i]);
    }), { numRuns: 1000 });
  });

  it('spreads connections in proportion to weight: after k × total-weight connections each member has k × its weight', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 4 }), (weights, k) => {
      const b = balancer(weights, 'least_connections');
      connect(b, k * weights.reduce((s, w) => s + w, 0));
      expect(b.listenerPool('tcp', 80)!.members.map((m) => m.connections)).toEqual(weights.map((w) => k * w));
    }), { numRuns: 300 });
  });
});

describe('round_robin, weighted (nginx\'s smooth weighted round robin)', () => {
  it('weights 5, 1, 1 interleave: a a b a c a a', () => {
    expect(connect(balancer([5, 1, 1], 'round_robin'), 7)).toEqual(['m0', 'm0', 'm1', 'm0', 'm2', 'm0', 'm0']);
  });

  it('weights 2 and 1: a b a, again and again', () => {
    expect(connect(balancer([2, 1], 'round_robin'), 6)).toEqual(['m0', 'm1', 'm0', 'm0', 'm1', 'm0']);
  });
});

describe('source hashes', () => {
  it('name the client, the port for source_ip_port only, the modulus and the bucket', () => {
    const ip = balancer([1, 2], 'source_ip');
    const port = balancer([1, 2], 'source_ip_port');
    const flow = { src: 0xc6336407, sport: 40001 };
    expect(ip.pick(ip.listenerPool('tcp', 80)!, flow)).toMatchObject({ ok: true, why: expect.stringMatching(/^jhash of 198\.51\.100\.7 mod 3 = [0-2]$/) });
    expect(port.pick(port.listenerPool('tcp', 80)!, flow)).toMatchObject({ ok: true, why: expect.stringMatching(/^jhash of 198\.51\.100\.7:40001 mod 3 = [0-2]$/) });
  });
});

describe('refusals and listeners', () => {
  it('no eligible member: the refusal names the pool and the members that are down', () => {
    const b = balancer([1, 1, 0], 'round_robin', [true, false, true]);
    const pool = b.listenerPool('tcp', 80)!;
    pool.members[0]!.health = 'down';
    expect(b.pick(pool, { src: 1, sport: 1 })).toEqual({ ok: false, reason: 'no healthy member in pool web (down: m0)' });
    // Admin-down and weightless members are not down: the reason lists none.
    const off = balancer([1, 0], 'round_robin', [false, true]);
    expect(off.pick(off.listenerPool('tcp', 80)!, { src: 1, sport: 1 })).toEqual({ ok: false, reason: 'no healthy member in pool web' });
  });

  it('a listener is found by protocol and port together', () => {
    const b = balancer([1], 'round_robin');
    expect(b.listenerPool('tcp', 80)?.pool.name).toBe('web');
    expect(b.listenerPool('udp', 53)?.pool.name).toBe('dns');
    expect(b.listenerPool('udp', 80)).toBeUndefined();
    expect(b.listenerPool('tcp', 53)).toBeUndefined();
    expect(b.listenerPool('tcp', 81)).toBeUndefined();
  });
});

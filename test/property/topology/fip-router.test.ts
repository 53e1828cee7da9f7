/**
 * A floating IP's router (resolve-services.ts, indexed by subnet since issue 18) is Neutron's
 * choice as a plain scan finds it: the first router in file order with a gateway on the floating
 * IP's network and an interface on one of the port's subnets; with none, fip-unreachable at
 * the floating IP. Clouds of several routers sharing subnets, two external networks, and
 * ports on one or two subnets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPath } from '../../../src/topology/issue.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';

const SUBNETS = 4;
const doc = fc.record({
  routers: fc.array(fc.record({ joins: fc.uniqueArray(fc.integer({ min: 0, max: SUBNETS - 1 }), { maxLength: 3 }), gateway: fc.constantFrom(null, 'pub-a', 'pub-b') }), { minLength: 1, maxLength: 5 }),
  instances: fc.array(fc.record({ subnets: fc.uniqueArray(fc.integer({ min: 0, max: SUBNETS - 1 }), { minLength: 1, maxLength: 2 }), fip: fc.constantFrom(null, 'pub-a', 'pub-b') }), { minLength: 1, maxLength: 6 }),
}).map((d) => ({
  version: 1,
  external_networks: {
    'pub-a': { cidr: '203.0.113.0/24', gateway: '203.0.113.1', pool: '203.0.113.10-203.0.113.250' },
    'pub-b': { cidr: '198.51.100.0/24', gateway: '198.51.100.1', pool: '198.51.100.10-198.51.100.250' },
  },
  // Two subnets per network, so a port may have addresses on two of them.
  networks: Object.fromEntries(Array.from({ length: SUBNETS / 2 }, (_, n) => [`n${n}`, { subnets: Object.fromEntries([0, 1].map((k) => [`s${2 * n + k}`, { cidr: `10.${2 * n + k}.0.0/24` }])) }])),
  routers: Object.fromEntries(d.routers.map((r, i) => [`r${i}`, {
    ...(r.gateway ? { external_gateway: { network: r.gateway } } : {}),
    interfaces: r.joins.map((s) => ({ subnet: `s${s}`, ip: `10.${s}.0.${10 + i}` })),
  }])),
  instances: Object.fromEntries(d.instances.map((x, i) => {
    // A port's subnets must share a network: keep the first and its sibling.
    const net = Math.floor(x.subnets[0]! / 2);
    const subnets = [...new Set(x.subnets.map((s) => 2 * net + (s % 2)))];
    return [`vm${i}`, { ports: [{ fixed_ips: subnets.map((s) => ({ subnet: `s${s}` })) }] }];
  })),
  floating_ips: Object.fromEntries(d.instances.flatMap((x, i) => (x.fip ? [[`fip${i}`, { network: x.fip, port: `vm${i}` }]] : []))),
}));

/** The scan: first router in order with a gateway on `network` and an interface on one of the port's subnets. */
function expectedRouter(cloud: Cloud, network: string, subnets: ReadonlySet<string>): string | null {
  for (const r of cloud.routers.values()) {
    if (r.externalGateway?.network !== network) continue;
    if (r.interfaces.some((id) => cloud.ports.get(id)!.fixedIps.some((f) => subnets.has(f.subnet)))) return r.name;
  }
  return null;
}

describe('floating IP router (property)', () => {
  it('is the first router in file order that joins the port\'s subnets and has a gateway on the network (300 runs)', () => {
    let mapped = 0;
    let refused = 0;
    fc.assert(fc.property(doc, (d) => {
      const r = parseTopology(JSON.stringify(d), 'fip.json');
      const fips = Object.entries(d.floating_ips) as [string, { network: string; port: string }][];
      if (!r.ok) {
        // The only error these clouds can have: a floating IP no router can carry.
        for (const i of r.issues) expect([i.code, formatPath(i.path).split('.')[0]]).toEqual(['fip-unreachable', 'floating_ips']);
        refused++;
        return;
      }
      for (const [name, f] of fips) {
        const port = r.cloud.ports.get(`${f.port}/eth0`)!;
        const subnets = new Set(port.fixedIps.map((x) => x.subnet));
        expect(r.cloud.floatingIps.get(name)!.router, name).toBe(expectedRouter(r.cloud, f.network, subnets));
        mapped++;
      }
    }), { numRuns: 300 });
    expect(mapped).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(10);
  });
});

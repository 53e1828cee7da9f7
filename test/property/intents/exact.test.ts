// Intents are exact, not sampled: on generated clouds, the class-based check (src/intents/check.ts)
// counts the same pairs and the same violations as probing every source, destination and service
// one by one; an isolation intent that holds has no port any pair reaches; every counterexample
// reproduces when run alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTopology, Simulator, type Cloud } from '../../../src/index.js';
import { checkIntents } from '../../../src/intents/check.js';
import { parseIntents } from '../../../src/intents/intents.js';
import { allEndpoints, isSender } from '../../../src/intents/selectors.js';
import { endpointsOf } from '../../../src/reach/endpoints.js';
import { port, securityGroup, topologyDocument } from '../../../src/testing/index.js';

function load(doc: unknown): Cloud {
  const r = parseTopology(JSON.stringify(doc));
  if (!r.ok) throw new Error('generated document does not load');
  return r.cloud;
}

function intentsOf(cloud: Cloud, yaml: string) {
  const r = parseIntents(yaml, cloud);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.intents;
}

/** Every (source, destination, declared service) triple, probed one by one. */
function bruteForce(cloud: Cloud) {
  const sim = new Simulator(cloud);
  const services = new Map(endpointsOf(cloud).map((e) => [e.name, e.services]));
  const all = allEndpoints(cloud);
  const rows: { from: string; to: string; port: number; proto: 'tcp' | 'udp'; delivered: boolean }[] = [];
  let serviceless = 0;
  for (const s of all.filter(isSender)) {
    for (const d of all) {
      if (d.name === s.name) continue;
      const list = services.get(d.name) ?? [];
      if (list.length === 0) serviceless++;
      for (const svc of list) rows.push({ from: s.name, to: d.name, proto: svc.proto, port: svc.port, delivered: sim.probe({ from: s.name, to: d.name, proto: svc.proto, port: svc.port }).verdict === 'delivered' });
    }
  }
  return { rows, serviceless };
}

/**
 * Clouds whose instances are alike in threes (so classes merge and the intent's own selectors
 * must split them) under random rules of two groups, with port ranges that cut the port space.
 */
const alike = fc.tuple(
  securityGroup({ groups: ['a', 'b'], prefixes: ['10.0.0.0/24', '10.0.1.0/24', '198.51.100.0/24', '0.0.0.0/0'], ethertype: 'IPv4' }),
  securityGroup({ groups: ['a', 'b'], prefixes: ['10.0.0.0/24', '10.0.1.0/24', '198.51.100.0/24', '0.0.0.0/0'], ethertype: 'IPv4' }),
).map(([a, b]) => load({
  version: 1,
  external_networks: { public: { cidr: '203.0.113.0/24', gateway: '203.0.113.1', pool: '203.0.113.10-203.0.113.50' } },
  networks: { n0: { subnets: { s0: { cidr: '10.0.0.0/24' } } }, n1: { subnets: { s1: { cidr: '10.0.1.0/24' } } } },
  routers: { r: { external_gateway: { network: 'public', snat: true }, interfaces: ['s0', 's1'] } },
  security_groups: { a, b },
  instances: Object.fromEntries([0, 1, 2, 3, 4, 5].map((i) => [`vm-${i}`, { ports: [{ subnet: i < 3 ? 's0' : 's1', security_groups: [i < 3 ? 'a' : 'b'] }], services: i < 3 ? ['tcp/80', 'tcp/22'] : ['tcp/5432', 'udp/53'] }])),
  floating_ips: { 'fip-0': { network: 'public', port: 'vm-0' }, 'fip-1': { network: 'public', port: 'vm-1' }, 'fip-3': { network: 'public', port: 'vm-3' } },
  external_hosts: { client: { ip: '198.51.100.7', services: ['tcp/80'] } },
}));

const world = fc.oneof(topologyDocument({ networks: 2, instances: 5 }).map(load), alike);

describe('intents are exact on generated clouds', () => {
  it('reachable and exact count what probing every pair finds', () => {
    fc.assert(fc.property(world, fc.infiniteStream(fc.boolean()), (cloud, coin) => {
      const brute = bruteForce(cloud);
      const names = allEndpoints(cloud).map((e) => e.name);
      // A random exact list: each flow one random source and one random destination by name.
      const flows = brute.rows.filter(() => coin.next().value as boolean).slice(0, 6);
      const listed = (r: (typeof brute.rows)[number]) => flows.some((f) => f.from === r.from && f.to === r.to && f.port === r.port && f.proto === r.proto);
      const exactList = flows.map((f) => `{ from: ${f.from}, to: ${f.to}, proto: ${f.proto}, port: ${f.port} }`).join(', ');
      const [reachable, exact] = checkIntents(cloud, intentsOf(cloud, `intents:
  - { name: all reach all, from: '*', to: '*', expect: reachable }
  - { name: exact, exact: [${exactList}] }
`));
      expect(names.length).toBeGreaterThan(0);
      expect(reachable!.pairs).toBe(brute.rows.length + brute.serviceless);
      expect(reachable!.violations).toBe(brute.rows.filter((r) => !r.delivered).length + brute.serviceless);
      expect(exact!.pairs).toBe(brute.rows.length);
      expect(exact!.violations).toBe(brute.rows.filter((r) => r.delivered !== listed(r)).length);
    }), { numRuns: 25 });
  });

  it('an isolation that holds leaves no port open to any pair; a violated one reproduces', () => {
    let held = 0;
    // Ports drawn as rules draw theirs (boundaries and well-known ports), so the probe meets the ranges' edges.
    fc.assert(fc.property(world, port(), fc.constantFrom<'tcp' | 'udp'>('tcp', 'udp'), (cloud, p, proto) => {
      const [r] = checkIntents(cloud, intentsOf(cloud, `intents:\n  - { name: closed, from: '*', to: 'vm-*', proto: ${proto}, expect: isolated }\n`));
      const sim = new Simulator(cloud);
      const all = allEndpoints(cloud);
      const reached = all.filter(isSender).flatMap((s) => all.filter((d) => d.name !== s.name && d.name.startsWith('vm-')).map((d) => sim.probe({ from: s.name, to: d.name, proto, port: p }).verdict))
        .some((v) => v === 'delivered' || v === 'refused');
      held += r!.pass ? 1 : 0;
      if (r!.pass) expect(reached).toBe(false);
      else {
        const again = new Simulator(cloud).probe(r!.counterexample!.probe);
        expect(['delivered', 'refused']).toContain(again.verdict);
      }
    }), { numRuns: 80 });
    // Both branches ran: some clouds keep every port closed, some do not.
    expect(held).toBeGreaterThan(5);
    expect(held).toBeLessThan(75);
  });
});

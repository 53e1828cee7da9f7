// vnet/testing's public arbitraries (src/testing/public.ts) make what the public API and the file
// format take: rules and groups that load in a topology, probes sim.probe runs by name, addresses
// and prefixes as strings; and every value is plain data (JSON round-trips, no bigint), so a
// counterexample prints as written.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCidr, parseIp, parseTopology, Simulator, type Cloud } from '../../../src/index.js';
import { cidr, ipAddress, probes, rule, securityGroup, topologyDocument } from '../../../src/testing/index.js';
import { select } from '../../../src/intents/selectors.js';

const plain = (x: unknown) => expect(JSON.parse(JSON.stringify(x))).toEqual(x);

function load(doc: unknown): Cloud {
  const r = parseTopology(JSON.stringify(doc));
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.code} ${JSON.stringify(i.path)} ${i.message}`).join('\n'));
  return r.cloud;
}

describe('vnet/testing public arbitraries', () => {
  it('rules and groups in the file format load, with remote groups among the file\'s', () => {
    const groups = ['web', 'db'];
    fc.assert(fc.property(securityGroup({ groups, stateless: true }), securityGroup({ groups }), (web, db) => {
      plain(web);
      const doc = {
        version: 1,
        networks: { n: { subnets: { s: { cidr: '10.0.0.0/24' } } } },
        security_groups: { web, db },
        instances: { a: { ports: [{ subnet: 's', security_groups: ['web'] }] }, b: { ports: [{ subnet: 's', security_groups: ['db'] }] } },
      };
      const cloud = load(doc);
      expect(cloud.securityGroups.get('web')!.rules.filter((r) => r.origin === 'file')).toHaveLength(web.rules.length);
    }), { numRuns: 150 });
  });

  it('a single rule of either family is valid on its own', () => {
    fc.assert(fc.property(rule(), (r) => {
      plain(r);
      load({ version: 1, security_groups: { g: { rules: [r] } } });
    }), { numRuns: 200 });
  });

  it('addresses and prefixes are strings that parse (prefixes without host bits)', () => {
    fc.assert(fc.property(ipAddress(), cidr(4), cidr(6), (a, c4, c6) => {
      expect(parseIp(a)).toBeDefined();
      for (const c of [c4, c6]) {
        const parsed = parseCidr(c);
        expect(parsed.ok, c).toBe(true);
      }
    }), { numRuns: 200 });
  });

  it('probes over generated clouds run by name, from and to what the selectors pick', () => {
    const world = topologyDocument({ networks: 2, instances: 4 }).chain((doc) => {
      const cloud = load(doc);
      return fc.tuple(fc.constant(cloud), probes(cloud, { to: 'vm-*' }));
    });
    fc.assert(fc.property(world, ([cloud, probe]) => {
      plain(probe);
      expect(probe.from).not.toBe(probe.to);
      expect(probe.to).toMatch(/^vm-/);
      expect(cloud.instances.has(probe.from) || cloud.externalHosts.has(probe.from)).toBe(true);
      expect(probe.proto === 'icmp' ? probe.port : probe.port! >= 1 && probe.port! <= 65535).toBe(probe.proto === 'icmp' ? undefined : true);
      const v = new Simulator(cloud).probe(probe);
      expect(['delivered', 'refused', 'dropped', 'unreachable', 'expired', 'misdelivered']).toContain(v.verdict);
    }), { numRuns: 40 });
  });

  it('probes honour group and internet selectors, and mostly hit a listening port', () => {
    const loaded = parseTopology(JSON.stringify({
      version: 1,
      external_networks: { public: { cidr: '203.0.113.0/24', gateway: '203.0.113.1', pool: '203.0.113.10-203.0.113.20' } },
      networks: { n: { subnets: { s: { cidr: '10.0.0.0/24' } } } },
      routers: { r: { external_gateway: { network: 'public' }, interfaces: ['s'] } },
      security_groups: { db: {}, web: {} },
      instances: { 'db-1': { ports: [{ subnet: 's', security_groups: ['db'] }], services: ['tcp/5432'] }, 'web-1': { ports: [{ subnet: 's', security_groups: ['web'] }] } },
      external_hosts: { client: { ip: '198.51.100.7' } },
    }));
    if (!loaded.ok) throw new Error('fixture');
    const cloud = loaded.cloud;
    const seen: number[] = [];
    fc.assert(fc.property(probes(cloud, { from: 'internet', to: 'group:db', protocols: ['tcp'] }), (p) => {
      expect([p.from, p.to, p.proto]).toEqual(['client', 'db-1', 'tcp']);
      seen.push(p.port!);
    }), { numRuns: 200 });
    expect(seen.filter((p) => p === 5432).length).toBeGreaterThan(100);
    expect(() => probes(cloud, { from: 'group:dbb' })).toThrow(/no security group named "dbb"; did you mean "db"/);
    expect(select(cloud, ['web-*', 'internet'])).toEqual({ ok: true, endpoints: [{ name: 'web-1', kind: 'instance' }, { name: 'client', kind: 'external_host' }] });
  });

  it('a failing property reports its counterexample as the probe a user writes', () => {
    const loaded = parseTopology('{"version":1,"networks":{"n":{"subnets":{"s":{"cidr":"10.0.0.0/24"}}}},"instances":{"a":{"ports":["s"]},"b":{"ports":["s"]}}}');
    if (!loaded.ok) throw new Error('fixture');
    const out = fc.check(fc.property(probes(loaded.cloud, { protocols: ['tcp'] }), (p) => p.port! < 1), { seed: 1 });
    expect(out.failed).toBe(true);
    expect(fc.stringify(out.counterexample)).toMatch(/^\[\{"from":"[ab]","to":"[ab]","proto":"tcp","port":\d+\}\]$/);
  });
});

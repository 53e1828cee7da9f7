// Property tests of the shop's own network (cloud.yaml), as a user writes them: vnet's simulator,
// vnet/testing's arbitraries and vnet/vitest's matchers. Run: npm test (after npm install).
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatIssue, loadTopology, parseTopology, Simulator, type Cloud } from 'vnet';
import { probes, rule, topologyDocument } from 'vnet/testing';
import { vnetMatchers } from 'vnet/vitest';

expect.extend(vnetMatchers);

let cloud: Cloud;
beforeAll(() => {
  const loaded = loadTopology(fileURLToPath(new URL('cloud.yaml', import.meta.url)));
  if (!loaded.ok) throw new Error(loaded.issues.map(formatIssue).join('\n'));
  cloud = loaded.cloud;
});

/** Instances none of whose ports is in the group. */
const outside = (group: string): string[] =>
  [...cloud.instances.values()].filter((i) => !i.ports.some((p) => cloud.ports.get(p)!.securityGroups.includes(group))).map((i) => i.name);

describe('the shop', () => {
  it('no instance outside group admin reaches tcp/22 on any database instance', () => {
    fc.assert(fc.property(probes(cloud, { from: outside('admin'), to: 'group:db', protocols: ['tcp'] }), (p) => {
      const v = new Simulator(cloud).probe({ ...p, port: 22 });
      expect(v).toBeBlockedBy('db');
    }), { numRuns: 30 });
  }, 30_000);

  it('every web instance answers the internet on 443 only through the load balancer', () => {
    fc.assert(fc.property(probes(cloud, { from: 'internet', protocols: ['tcp'] }), (p) => {
      const v = new Simulator(cloud).probe({ ...p, port: 443 });
      const atWeb = v.landed?.node.startsWith('instance:web-') === true;
      // Delivered to a web server means the load balancer chose it, and only then.
      if (v.verdict === 'delivered' && atWeb) expect(v.lb?.node).toBe('lb:shop-lb');
      if (p.to === 'shop') expect(v).toBeDelivered();
      else expect(v).not.toBeDelivered();
    }), { numRuns: 60 });
  }, 30_000);

  it('a stateful group lets every reply back, even from a group with no egress rules', () => {
    fc.assert(fc.property(probes(cloud, { protocols: ['tcp'] }), (p) => {
      const v = new Simulator(cloud).probe(p);
      if (v.verdict === 'delivered') expect(v.reply).toBe(true);
    }), { numRuns: 60 });
    expect(new Simulator(cloud).probe({ from: 'web-1', to: 'db-1', port: 5432 })).toBeDelivered();
  }, 30_000);
});

describe('any cloud', () => {
  it('adding an ingress rule never removes a reachability that held before', () => {
    const world = topologyDocument({ networks: 2, instances: 4 }).chain((doc) => {
      const before = parseTopology(JSON.stringify(doc));
      if (!before.ok) throw new Error('generated document does not load');
      const groups = Object.keys(doc['security_groups'] as Record<string, unknown>);
      return fc.record({
        doc: fc.constant(doc),
        before: fc.constant(before.cloud),
        group: fc.constantFrom(...groups),
        added: rule({ direction: 'ingress', groups }),
        probe: probes(before.cloud),
      });
    });
    fc.assert(fc.property(world, ({ doc, before, group, added, probe }) => {
      const groups = doc['security_groups'] as Record<string, { rules: unknown[] }>;
      const widened = { ...doc, security_groups: { ...groups, [group]: { ...groups[group], rules: [...groups[group]!.rules, added] } } };
      const after = parseTopology(JSON.stringify(widened));
      if (!after.ok) throw new Error(after.issues.map(formatIssue).join('\n'));
      if (new Simulator(before).probe(probe).verdict === 'delivered') expect(new Simulator(after.cloud).probe(probe)).toBeDelivered();
    }), { numRuns: 25 });
  }, 60_000);
});

// sim.probe by names and address strings (src/library/simulator.ts): every kind of endpoint a
// user names resolves as vnet trace resolves it, gives the same verdict as the resolved form,
// and bad input throws a ProbeError whose issues carry the key's path and code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTopology, ProbeError, resolveDestination, resolveSource, Simulator } from '../../../src/index.js';

const loaded = loadTopology('topologies/three-tier.yaml');
if (!loaded.ok) throw new Error('three-tier does not load');
const cloud = loaded.cloud;

function thrown(f: () => unknown): ProbeError {
  try {
    f();
  } catch (e) {
    if (e instanceof ProbeError) return e;
    throw e;
  }
  throw new Error('no ProbeError');
}

describe('sim.probe by name', () => {
  it('takes instances, addresses, load balancers, floating IPs and external hosts', () => {
    const sim = new Simulator(cloud);
    const web1 = sim.probe({ from: 'web-1', to: 'db-1', proto: 'tcp', port: 5432 });
    expect(web1.verdict).toBe('delivered');
    expect(web1.path.at(-1)).toBe('instance:db-1');
    expect(sim.probe({ from: 'web-1', to: '10.0.1.21', port: 5432 }).verdict).toBe('delivered');
    expect(sim.probe({ from: 'web-2', to: 'web-lb', port: 80 }).lb?.node).toBe('lb:web-lb');
    const fip = sim.probe({ from: 'client', to: 'lb-fip', port: 80 });
    expect([fip.verdict, fip.lb?.node]).toEqual(['delivered', 'lb:web-lb']);
    expect(sim.probe({ from: 'client', to: 'db-1', port: 22 }).verdict).toBe('unreachable');
    // An address names the sender too; icmp by default without a port.
    expect(sim.probe({ from: '198.51.100.7', to: 'web-1-fip' }).verdict).toBe('delivered');
  });

  it('gives the verdict of the resolved form, for any pair of endpoints and port', () => {
    const senders = [...cloud.instances.keys(), ...cloud.externalHosts.keys()];
    const targets = [...senders, ...cloud.loadBalancers.keys(), ...cloud.floatingIps.keys()];
    fc.assert(fc.property(fc.constantFrom(...senders), fc.constantFrom(...targets), fc.constantFrom<'tcp' | 'udp'>('tcp', 'udp'), fc.integer({ min: 1, max: 65535 }), (from, to, proto, port) => {
      const src = resolveSource(cloud, from);
      const dst = resolveDestination(cloud, to);
      if (!src.ok || !dst.ok) throw new Error('endpoints');
      const byName = new Simulator(cloud).probe({ from, to, proto, port });
      const resolved = new Simulator(cloud).probe({ from: src.value.node, to: dst.value, proto, port });
      expect(byName.verdict).toBe(resolved.verdict);
      expect(byName.path).toEqual(resolved.path);
      expect(byName.observed).toEqual(resolved.observed);
    }), { numRuns: 60 });
  });

  it('throws a ProbeError with the path and code of each problem', () => {
    const sim = new Simulator(cloud);
    const unknown = thrown(() => sim.probe({ from: 'web-l', to: 'db-1', port: 5432 }));
    expect(unknown.issues.map((i) => [i.path, i.code])).toEqual([[['from'], 'unknown-source']]);
    expect(unknown.message).toMatch(/^probe\.from: .*did you mean "web-1"/);
    const bad = thrown(() => sim.probe({ from: 'web-1', to: 'db-1', proto: 'tcp', port: 70000 }));
    expect(bad.issues.map((i) => [i.path, i.code])).toEqual([[['port'], 'port']]);
    const icmpPort = thrown(() => sim.probe({ from: 'web-1', to: 'db-1', proto: 'icmp', port: 80 }));
    expect(icmpPort.issues.map((i) => i.code)).toEqual(['port-protocol']);
    const extra = thrown(() => sim.probe({ from: 'web-1', to: 'db-1', port: 80, sport: 1 } as never));
    expect(extra.issues.map((i) => [i.path, i.code])).toEqual([[['sport'], 'unknown-key']]);
  });
});

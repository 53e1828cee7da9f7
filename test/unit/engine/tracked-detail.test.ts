/**
 * The detail of a packet a tracked connection let through (sg.ingress/sg.egress, ct
 * established or related): its entry text is read through a getter, built on demand, yet the
 * detail reads, lists and serialises as the plain object it was — keys in the same order.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/engine/simulator.js';
import { cloudFromFile, probeSpec } from './probes.js';

describe('a tracked connection\'s detail', () => {
  const cloud = cloudFromFile('topologies/three-tier.yaml');

  it('names the entry by its original flow, as a field, in Object.entries and in JSON', () => {
    const sim = new Simulator(cloud);
    const v = sim.probe(probeSpec(cloud, 'web-1', 'db-1', 'tcp', 5432, { sport: 40123 }));
    const tracked = v.events.filter((e) => (e.stage === 'sg.egress' || e.stage === 'sg.ingress') && e.detail['ct'] === 'established');
    // The answer leaves db-1 and enters web-1, each through its port's own conntrack zone.
    expect(tracked.map((e) => `${e.node} ${e.stage}`)).toEqual(['instance:db-1 sg.egress', 'instance:web-1 sg.ingress']);
    for (const e of tracked) {
      const expected = { ct: 'established', entry: 'tcp 10.0.0.2:40123 → 10.0.1.21:5432', reason: 'reply of a tracked connection' };
      expect(e.detail['entry']).toBe(expected.entry);
      expect(Object.entries(e.detail)).toEqual(Object.entries(expected));
      expect(JSON.stringify(e.detail)).toBe(JSON.stringify(expected));
      expect(structuredClone(e.detail)).toEqual(expected);
    }
  });

  it('says related for an ICMP error about the connection', () => {
    const sim = new Simulator(cloud);
    // Nothing listens on udp/53 at the external host: its port unreachable comes back through
    // the router's SNAT and is related to web-1's UDP flow (as web-1 opened it).
    const v = sim.probe(probeSpec(cloud, 'web-1', '198.51.100.10', 'udp', 53, { sport: 40124 }));
    expect(v.verdict).toBe('refused');
    const related = v.events.filter((e) => e.detail['ct'] === 'related');
    expect(related.map((e) => `${e.node} ${e.stage}`)).toEqual(['instance:web-1 sg.ingress']);
    expect(JSON.parse(JSON.stringify(related[0]!.detail))).toEqual({ ct: 'related', entry: 'udp 10.0.0.2:40124 → 198.51.100.10:53', reason: 'an ICMP error about a tracked connection' });
  });
});

// The topology arbitrary users build on only makes valid documents, and the engine runs on
// them: every generated cloud loads, and any probe between two of its instances ends in one of
// the five verdicts without an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraries } from '../../../src/testing/index.js';
import { parseTopology } from '../../../src/topology/load.js';
import { Simulator } from '../../../src/engine/simulator.js';
import { resolveDestination, resolveSource } from '../../../src/engine/endpoints.js';

describe('arbitraries.topologyDocument', () => {
  it('makes documents that load without errors, and probes on them always end with a verdict', () => {
    fc.assert(fc.property(arbitraries.topologyDocument(), fc.nat(), fc.nat(), fc.constantFrom('tcp', 'udp', 'icmp'), (doc, a, b, proto) => {
      const r = parseTopology(JSON.stringify(doc), 'generated.json');
      if (!r.ok) expect(r.issues).toEqual([]);
      if (!r.ok) return;
      const names = [...r.cloud.instances.keys()];
      const src = resolveSource(r.cloud, names[a % names.length]!);
      const dst = resolveDestination(r.cloud, names[b % names.length]!);
      if (!src.ok || !dst.ok) throw new Error('endpoints');
      const v = new Simulator(r.cloud).probe({ from: src.value.node, to: dst.value, proto: proto as 'tcp' | 'udp' | 'icmp', port: proto === 'icmp' ? 0 : 80 });
      expect(['delivered', 'refused', 'dropped', 'unreachable', 'expired']).toContain(v.verdict);
    }), { numRuns: 150 });
  });
});

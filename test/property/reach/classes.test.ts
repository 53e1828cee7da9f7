// The matrix probes one representative per equivalence class; the classes are sound when every
// member of a class pair gets the same verdict as the representatives did. Checked by probing
// every pair one by one on random valid topologies (each probe resolved as vnet trace does:
// the destination by name, so a packet another node takes is misdelivered).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraries } from '../../../src/testing/index.js';
import { parseTopology } from '../../../src/topology/load.js';
import { reachMatrix } from '../../../src/reach/matrix.js';
import { Simulator } from '../../../src/engine/simulator.js';
import { resolveProbe } from '../../../src/probe/probe.js';

describe('reach equivalence classes', () => {
  it('every member of a class pair has the verdict of its representatives', () => {
    fc.assert(fc.property(arbitraries.topologyDocument({ networks: 2, instances: 6 }), (doc) => {
      const r = parseTopology(JSON.stringify(doc), 'generated.json');
      if (!r.ok) throw new Error('invalid generated topology');
      const cloud = r.cloud;
      const m = reachMatrix(cloud);
      for (const row of m.rows) {
        for (const from of row.fromClass) {
          for (const to of row.toClass) {
            if (from === to) continue;
            const [proto, port] = row.service.split('/') as ['tcp' | 'udp', string];
            const resolved = resolveProbe(cloud, { from, to, proto, port: Number(port), ipv6: false, spoof: null });
            if (!resolved.ok) continue;
            const v = new Simulator(cloud, { record: false }).probe(resolved.probe.spec);
            expect(`${from} → ${to} ${row.service}: ${v.verdict}`).toBe(`${from} → ${to} ${row.service}: ${row.verdict}`);
          }
        }
      }
    }), { numRuns: 40 });
  });
});

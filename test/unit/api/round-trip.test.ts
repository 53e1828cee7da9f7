/**
 * The saved topology (what --save writes and /api/topology.yaml serves) loads back to the same
 * cloud as the document it came from, for random valid topologies, and still does after the API
 * deletes ports: the pinned addresses and MACs of every other port do not move.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../../../src/api/store.js';
import { topologyDocument } from '../../../src/testing/topology-arbitrary.js';
import { parseTopology } from '../../../src/topology/load.js';
import { cloudToJson } from '../../../src/topology/to-json.js';
import { testApi } from './helpers.js';

function cloudOf(text: string) {
  const r = parseTopology(text);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.cloud;
}

describe('saved topology', () => {
  it('loads back to the same cloud (200 random topologies)', () => {
    fc.assert(fc.property(topologyDocument({ networks: 3, instances: 6 }), (doc) => {
      const { store, call } = testApi(doc as Doc);
      const original = cloudToJson(cloudOf(JSON.stringify(doc)));
      expect(cloudToJson(cloudOf(store.text()))).toEqual(original);
      const served = call('GET', '/api/topology.yaml');
      expect([served.status, served.text]).toEqual([200, store.text()]);
    }), { numRuns: 200 });
  });

  it('keeps every other port\'s address and MAC when ports are deleted (100 runs)', () => {
    fc.assert(fc.property(topologyDocument({ networks: 2, instances: 6 }), fc.integer({ min: 0, max: 5 }), (doc, pick) => {
      const { store, call } = testApi(doc as Doc);
      const ports = call('GET', '/network/v2.0/ports?device_owner=compute:nova').body.ports as { id: string; mac_address: string; fixed_ips: unknown[] }[];
      const victim = ports[pick % ports.length]!;
      // An instance port with a floating IP or in use elsewhere may stay; either answer is Neutron's.
      const del = call('DELETE', `/network/v2.0/ports/${victim.id}`);
      expect([204, 409]).toContain(del.status);
      const after = new Map((call('GET', '/network/v2.0/ports').body.ports as typeof ports).map((p) => [p.id, p]));
      for (const p of ports) {
        if (p.id === victim.id && del.status === 204) { expect(after.has(p.id)).toBe(false); continue; }
        expect([after.get(p.id)?.mac_address, after.get(p.id)?.fixed_ips]).toEqual([p.mac_address, p.fixed_ips]);
      }
      expect(cloudToJson(cloudOf(store.text()))).toEqual(cloudToJson(store.cloud));
    }), { numRuns: 100 });
  });
});

// `--level summary` (renderSummary): one line per hop, ARP/ND and bystanders left out; the
// forward hops are the verdict's path, for any probe of three-tier.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTopology, Simulator } from '../../../src/index.js';
import { probes } from '../../../src/testing/index.js';
import { renderSummary, shortNode } from '../../../src/trace/render.js';

const loaded = loadTopology('topologies/three-tier.yaml');
if (!loaded.ok) throw new Error('three-tier does not load');
const cloud = loaded.cloud;

describe('trace --level summary', () => {
  it('web-1 → db-1 tcp/5432 in one line per hop, with the rules that allowed', () => {
    const v = new Simulator(cloud).probe({ from: 'web-1', to: 'db-1', port: 5432 });
    const lines = renderSummary(v.events);
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('→ web-1  host.send send, host.route route, sg.egress allow (web #0)');
    expect(lines[4]).toBe('→ db-1   sg.ingress allow (db #2), host.receive accept');
    expect(lines.join('\n')).not.toMatch(/arp|ARP|ignore|switch\.learn|web-2|web-lb/);
  });

  it('its forward hops are the path, for any probe', () => {
    fc.assert(fc.property(probes(cloud), (p) => {
      const v = new Simulator(cloud).probe(p);
      const forward = renderSummary(v.events).filter((l) => l.startsWith('→')).map((l) => l.split(/\s+/)[1]);
      expect(forward).toEqual(v.path.map(shortNode));
    }), { numRuns: 100 });
  });
});

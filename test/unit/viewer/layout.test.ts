/**
 * The viewer's layered layout (viewer/layout.ts): every node gets a place, the same graph
 * always gives the same places whatever order its nodes and edges come in, layers go down
 * in the order traffic enters a cloud, and no two nodes share a spot.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { layeredLayout, LAYER_OF, MAX_ROW, type LayoutNode } from '../../../viewer/layout.js';
import { loadTopologyFile } from '../../../src/cli/read-topology.js';
import { buildGraph, type NodeKind } from '../../../src/topology/graph.js';

const KINDS = Object.keys(LAYER_OF) as NodeKind[];

const graphs = fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/), kind: fc.constantFrom(...KINDS) }), { selector: (n) => n.name, minLength: 1, maxLength: 40 })
  .chain((raw) => {
    const nodes: LayoutNode[] = raw.map((n) => ({ id: `${n.kind}:${n.name}`, kind: n.kind, name: n.name }));
    // An edge joins two different nodes: index b skips a.
    const edge = fc.tuple(fc.nat({ max: nodes.length - 1 }), fc.nat({ max: Math.max(0, nodes.length - 2) })).map(([a, b]) => [nodes[a]!.id, nodes[b >= a ? b + 1 : b]!.id] as const);
    return fc.record({ nodes: fc.constant(nodes), edges: nodes.length < 2 ? fc.constant([]) : fc.array(edge, { maxLength: 60 }) });
  });

describe('layeredLayout', () => {
  it('places every node once, at distinct points, deterministically and independent of input order', () => {
    fc.assert(fc.property(graphs, fc.infiniteStream(fc.boolean()), ({ nodes, edges }, flips) => {
      const at = layeredLayout(nodes, edges);
      expect([...at.keys()].sort()).toEqual(nodes.map((n) => n.id).sort());
      const spots = new Set([...at.values()].map((p) => `${p.x.toFixed(6)},${p.y.toFixed(6)}`));
      expect(spots.size).toBe(nodes.length);
      const shuffled = [...nodes].sort(() => (flips.next().value ? 1 : -1));
      const reversedEdges = [...edges].reverse().map(([a, b]) => (flips.next().value ? ([b, a] as const) : ([a, b] as const)));
      expect(layeredLayout(shuffled, reversedEdges)).toEqual(at);
    }));
  });

  it('puts a lower layer (internet → routers → networks → instances) strictly below a higher one; wide layers wrap', () => {
    fc.assert(fc.property(graphs, ({ nodes, edges }) => {
      const at = layeredLayout(nodes, edges);
      for (const a of nodes) for (const b of nodes) if (LAYER_OF[a.kind] < LAYER_OF[b.kind]) expect(at.get(a.id)!.y).toBeGreaterThan(at.get(b.id)!.y);
      const rows = new Map<number, number>();
      for (const p of at.values()) rows.set(p.y, (rows.get(p.y) ?? 0) + 1);
      for (const n of rows.values()) expect(n).toBeLessThanOrEqual(MAX_ROW);
    }));
  });

  it('three-tier: external hosts on top, then the internet, public, edge, app, and the instances and LB at the bottom', () => {
    const loaded = loadTopologyFile('topologies/three-tier.yaml');
    if (!loaded.ok) throw new Error('three-tier does not load');
    const g = buildGraph(loaded.cloud);
    const at = layeredLayout(g.mapNodes((id, a) => ({ id, kind: a.kind, name: a.name })), g.mapEdges((_e, _a, s, t) => [s, t] as const));
    const y = (id: string) => at.get(id)!.y;
    expect(y('host:client')).toBeGreaterThan(y('internet'));
    expect(y('internet')).toBeGreaterThan(y('external:public'));
    expect(y('external:public')).toBeGreaterThan(y('router:edge'));
    expect(y('router:edge')).toBeGreaterThan(y('network:app'));
    expect(y('network:app')).toBeGreaterThan(y('instance:web-1'));
    expect(y('lb:web-lb')).toBe(y('instance:web-1'));
  });
});

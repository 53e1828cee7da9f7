/**
 * The viewer's layered layout (viewer/layout.ts): every node gets a place, the same graph
 * always gives the same places whatever order its nodes and edges come in, layers go down
 * in the order traffic enters a cloud, and no two nodes share a spot; with projects, a column
 * per project and the outside above them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitAspect, GAP_X, groupedLayout, groupOf, layeredLayout, LAYER_OF, MAX_ROW, OUTSIDE, PROJECT_GAP, type LayoutNode, type Point } from '../../../viewer/layout.js';
import { loadTopologyFile } from '../../../src/files/read-topology.js';
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

  it('puts a lower layer (internet → routers → networks → instances) strictly below a higher one, and keeps a gap between neighbours on a row', () => {
    fc.assert(fc.property(graphs, ({ nodes, edges }) => {
      const at = layeredLayout(nodes, edges);
      for (const a of nodes) for (const b of nodes) if (LAYER_OF[a.kind] < LAYER_OF[b.kind]) expect(at.get(a.id)!.y).toBeGreaterThan(at.get(b.id)!.y);
      const rows = new Map<number, number[]>();
      for (const p of at.values()) rows.set(p.y, [...(rows.get(p.y) ?? []), p.x]);
      for (const xs of rows.values()) {
        xs.sort((a, b) => a - b);
        for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeGreaterThanOrEqual(GAP_X - 1e-9);
      }
    }));
  });

  it('draws a wide layer as a block of at most MAX_ROW columns under each parent, in the parents\' order', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 6 }), (sizes) => {
      const nodes: LayoutNode[] = [{ id: 'router:r', kind: 'router', name: 'r' }];
      const edges: [string, string][] = [];
      sizes.forEach((size, n) => {
        nodes.push({ id: `network:n${n}`, kind: 'network', name: `n${n}` });
        edges.push(['router:r', `network:n${n}`]);
        for (let i = 0; i < size; i++) {
          nodes.push({ id: `instance:n${n}-${i}`, kind: 'instance', name: `n${n}-${i}` });
          edges.push([`network:n${n}`, `instance:n${n}-${i}`]);
        }
      });
      const at = layeredLayout(nodes, edges);
      const xsOf = (n: number) => Array.from({ length: sizes[n]! }, (_, i) => at.get(`instance:n${n}-${i}`)!.x);
      const order = sizes.map((_, n) => n).sort((a, b) => at.get(`network:n${a}`)!.x - at.get(`network:n${b}`)!.x);
      for (let k = 1; k < order.length; k++) expect(Math.min(...xsOf(order[k]!))).toBeGreaterThan(Math.max(...xsOf(order[k - 1]!)));
      sizes.forEach((size, n) => {
        if (nodes.length - 1 - sizes.length <= MAX_ROW) return; // one row: no blocks
        const perRow = new Map<number, number>();
        for (let i = 0; i < size; i++) {
          const y = at.get(`instance:n${n}-${i}`)!.y;
          perRow.set(y, (perRow.get(y) ?? 0) + 1);
        }
        expect(Math.max(...perRow.values())).toBe(Math.min(MAX_ROW, Math.ceil(Math.sqrt(size / sizes.length))));
      });
    }), { numRuns: 100 });
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

describe('layeredLayout of a fabric', () => {
  it('fabric.yaml: the spine gets a row above its racks, so no switch link runs through another switch', () => {
    const loaded = loadTopologyFile('topologies/fabric.yaml');
    if (!loaded.ok) throw new Error('fabric does not load');
    const g = buildGraph(loaded.cloud);
    const at = layeredLayout(g.mapNodes((id, a) => ({ id, kind: a.kind, name: a.name })), g.mapEdges((_e, _a, s, t) => [s, t] as const));
    const p = (id: string) => at.get(id)!;
    expect(p('router:gw').y).toBeGreaterThan(p('network:dc/spine').y);
    expect(p('network:dc/spine').y).toBeGreaterThan(p('network:dc/tor-1').y);
    expect(p('network:dc/tor-1').y).toBe(p('network:dc/tor-2').y);
    expect(p('network:dc/tor-1').y).toBeGreaterThan(p('instance:a1').y);
    // No node lies on a straight edge between two others (within a small tolerance).
    const onSegment = (q: { x: number; y: number }, a: { x: number; y: number }, b: { x: number; y: number }) => {
      const cross = (b.x - a.x) * (q.y - a.y) - (b.y - a.y) * (q.x - a.x);
      const dot = (q.x - a.x) * (b.x - a.x) + (q.y - a.y) * (b.y - a.y);
      const len = (b.x - a.x) ** 2 + (b.y - a.y) ** 2;
      return Math.abs(cross) < 1e-6 * Math.max(1, len) && dot > 0 && dot < len;
    };
    g.forEachEdge((_e, _a, s, t) => {
      g.forEachNode((n) => {
        if (n !== s && n !== t) expect(onSegment(p(n), p(s), p(t)), `${n} on ${s}–${t}`).toBe(false);
      });
    });
  });

  it('puts every switch of a fabric between the routers above and the instances below', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 5 }), (switches, seed) => {
      const nodes: LayoutNode[] = [{ id: 'router:r', kind: 'router', name: 'r' }, { id: 'instance:i', kind: 'instance', name: 'i' }];
      const edges: [string, string][] = [];
      for (let s = 0; s < switches; s++) {
        nodes.push({ id: `network:n/s${s}`, kind: 'network', name: `n/s${s}` });
        // A tree: each switch hangs from an earlier one.
        if (s > 0) edges.push([`network:n/s${(s * 7 + seed) % s}`, `network:n/s${s}`]);
      }
      edges.push(['router:r', `network:n/s${seed % switches}`], ['instance:i', `network:n/s${switches - 1}`]);
      const at = layeredLayout(nodes, edges);
      for (let s = 0; s < switches; s++) {
        const y = at.get(`network:n/s${s}`)!.y;
        expect(y).toBeLessThan(at.get('router:r')!.y);
        expect(y).toBeGreaterThan(at.get('instance:i')!.y);
      }
      // Linked switches never share a row.
      for (const [a, b] of edges) if (a.startsWith('network') && b.startsWith('network')) expect(at.get(a)!.y).not.toBe(at.get(b)!.y);
    }));
  });
});

const box = (pts: readonly Point[]) => ({ x0: Math.min(...pts.map((p) => p.x)), x1: Math.max(...pts.map((p) => p.x)), y0: Math.min(...pts.map((p) => p.y)), y1: Math.max(...pts.map((p) => p.y)) });

describe('groupedLayout (a column per project)', () => {
  const PROJECTS = ['alpha', 'beta', 'gamma', 'admin'];
  const projectGraphs = graphs.chain(({ nodes, edges }) => fc.array(fc.constantFrom(...PROJECTS), { minLength: nodes.length, maxLength: nodes.length })
    .map((owners) => ({ nodes: nodes.map((n, i) => ({ ...n, project: owners[i] })), edges })));

  it('puts each project\'s nodes in a column of its own, in the given order, and the outside above them all', () => {
    fc.assert(fc.property(projectGraphs, fc.boolean(), ({ nodes, edges }, wide) => {
      const at = groupedLayout(nodes, edges, PROJECTS, wide ? 3 : 0);
      expect([...at.keys()].sort()).toEqual(nodes.map((n) => n.id).sort());
      expect(new Set([...at.values()].map((p) => `${p.x.toFixed(6)},${p.y.toFixed(6)}`)).size).toBe(nodes.length);
      const groups = [...new Set(nodes.filter((n) => !OUTSIDE.has(n.kind)).map(groupOf))];
      if (groups.length < 2) return;
      const boxes = PROJECTS.filter((p) => groups.includes(p)).map((p) => box(nodes.filter((n) => !OUTSIDE.has(n.kind) && groupOf(n) === p).map((n) => at.get(n.id)!)));
      // Columns left to right in the projects' order, apart by at least the gap (stretching only widens it).
      for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.x0 - boxes[i - 1]!.x1).toBeGreaterThanOrEqual(PROJECT_GAP - 1e-9);
      const top = Math.max(...boxes.map((b) => b.y1));
      for (const n of nodes) if (OUTSIDE.has(n.kind)) expect(at.get(n.id)!.y).toBeGreaterThan(top);
      expect(groupedLayout([...nodes].reverse(), [...edges].reverse(), PROJECTS, wide ? 3 : 0)).toEqual(at);
    }));
  });

  it('is layeredLayout when there are not two projects', () => {
    fc.assert(fc.property(graphs, ({ nodes, edges }) => {
      const one = nodes.map((n) => ({ ...n, project: 'alpha' }));
      expect(groupedLayout(one, edges, PROJECTS, 2)).toEqual(layeredLayout(one, edges, 2));
    }));
  });

  it('two-project.yaml: alpha, beta and admin side by side, the internet and public above', () => {
    const loaded = loadTopologyFile('topologies/two-project.yaml');
    if (!loaded.ok) throw new Error('two-project does not load');
    const g = buildGraph(loaded.cloud);
    const at = groupedLayout(g.mapNodes((id, a) => ({ id, kind: a.kind, name: a.name, project: a.project })), g.mapEdges((_e, _a, s, t) => [s, t] as const), ['alpha', 'beta', 'admin']);
    const x = (id: string) => at.get(id)!.x;
    expect(Math.max(x('router:a-router'), x('network:a-net'), x('network:ops'), x('instance:a-vm1'))).toBeLessThan(Math.min(x('router:b-router'), x('network:b-net'), x('instance:b-etl'), x('instance:b-cache')));
    expect(Math.max(x('instance:b-etl'), x('instance:b-cache'), x('network:b-net'))).toBeLessThan(Math.min(x('network:tools'), x('instance:mirror')));
    expect(at.get('internet')!.y).toBeGreaterThan(at.get('external:public')!.y);
    expect(at.get('external:public')!.y).toBeGreaterThan(at.get('router:a-router')!.y);
  });
});

describe('fitAspect', () => {
  it('reaches the wanted width / height by stretching one axis, never squeezing', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true })), { minLength: 2, maxLength: 30 }), fc.double({ min: 0.2, max: 5, noNaN: true }), (pts, aspect) => {
      const before = new Map(pts.map(([x, y], i) => [String(i), { x, y }]));
      const b0 = box([...before.values()]);
      const after = fitAspect(new Map(before), aspect);
      const b1 = box([...after.values()]);
      const [w0, h0, w1, h1] = [b0.x1 - b0.x0, b0.y1 - b0.y0, b1.x1 - b1.x0, b1.y1 - b1.y0];
      expect(w1).toBeGreaterThanOrEqual(w0 - 1e-9);
      expect(h1).toBeGreaterThanOrEqual(h0 - 1e-9);
      if (w0 > 1e-6 && h0 > 1e-6) expect(w1 / h1).toBeCloseTo(aspect, 6);
    }), { examples: [[[[0, 0], [5e-324, 5e-324]], 0.2]] });
  });
});

/**
 * The page's topology (viewer/topology.ts): hello's compact form read back to the graph the
 * server built, clusters of a large cloud's instances, and search by name or address.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLUSTER_ABOVE, clusterInstances, expandCompact, searchNodes, type Topology } from '../../../viewer/topology.js';
import { compactTopology } from '../../../src/server/live-simulation.js';
import { loadTopologyFile } from '../../../src/files/read-topology.js';
import { parseTopology } from '../../../src/topology/load.js';
import { buildGraph } from '../../../src/topology/graph.js';
import { generateLarge } from '../../../scripts/gen-large.js';

/** A cloud of `networks` networks with the given instance counts, in the page's form. */
function synthetic(counts: readonly number[]): Topology {
  const nodes: Topology['nodes'][number][] = [{ id: 'router:r', kind: 'router', name: 'r', label: '' }];
  const edges: [string, string][] = [];
  counts.forEach((count, n) => {
    nodes.push({ id: `network:n${n}`, kind: 'network', name: `n${n}`, label: `10.${n}.0.0/24` });
    edges.push(['router:r', `network:n${n}`]);
    for (let i = 0; i < count; i++) {
      nodes.push({ id: `instance:n${n}-${i}`, kind: 'instance', name: `n${n}-${i}`, label: `10.${n}.${i >> 8}.${i & 255}` });
      edges.push([`instance:n${n}-${i}`, `network:n${n}`]);
    }
  });
  return { nodes, edges, byId: new Map(nodes.map((x) => [x.id, x])), projects: [] };
}

describe('expandCompact', () => {
  it('reads hello\'s compact topology back to the server\'s graph: every node with its kind, name and label, every link', () => {
    for (const file of ['topologies/three-tier.yaml', 'topologies/fabric.yaml', 'topologies/dual-stack.yaml']) {
      const loaded = loadTopologyFile(file);
      if (!loaded.ok) throw new Error(`${file} does not load`);
      const g = buildGraph(loaded.cloud);
      const t = expandCompact(JSON.parse(JSON.stringify(compactTopology(loaded.cloud, null))));
      expect(t.nodes.map((n) => [n.id, n.kind, n.name, n.label]).sort()).toEqual(g.mapNodes((id, a) => [id, a.kind, a.name, a.label]).sort());
      const key = ([a, b]: readonly [string, string]) => [a, b].sort().join(' ');
      expect(t.edges.map(key).sort()).toEqual(g.mapEdges((_e, _a, s, d) => key([s, d])).sort());
    }
  });

  it('carries each node\'s project when a cloud has several (two-project), and none when it has one', () => {
    const two = loadTopologyFile('topologies/two-project.yaml');
    if (!two.ok) throw new Error('two-project does not load');
    const t = expandCompact(JSON.parse(JSON.stringify(compactTopology(two.cloud, null))));
    expect([...t.projects].sort()).toEqual(['admin', 'alpha', 'beta']);
    const project = (id: string) => t.byId.get(id)?.project;
    expect(project('instance:a-vm1')).toBe('alpha');
    expect(project('instance:b-vm1')).toBe('beta');
    expect(project('instance:b-etl')).toBe('beta');
    expect(project('router:b-router')).toBe('beta');
    expect(project('network:ops')).toBe('alpha');
    expect(project('network:tools')).toBe('admin');
    expect(project('internet')).toBe('admin');
    expect(t.nodes.every((n) => n.project !== undefined)).toBe(true);
    const one = loadTopologyFile('topologies/three-tier.yaml');
    if (!one.ok) throw new Error('three-tier does not load');
    const c = compactTopology(one.cloud, null);
    expect(c.projects).toBeUndefined();
    expect(expandCompact(c).nodes.some((n) => n.project !== undefined)).toBe(false);
  });

  it('keeps hello under 1 MB for the 10,000-instance cloud', () => {
    const r = parseTopology(generateLarge(10_000), 'large.yaml');
    if (!r.ok) throw new Error('large does not load');
    const bytes = Buffer.byteLength(JSON.stringify(compactTopology(r.cloud, 'large.yaml')));
    expect(bytes).toBeLessThan(1_000_000);
  }, 60_000);
});

describe('clusterInstances', () => {
  it('small clouds: nothing clustered; large ones: every instance in exactly its network\'s cluster', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 8 }), (counts) => {
      const t = synthetic(counts);
      const c = clusterInstances(t);
      const instances = t.nodes.filter((n) => n.kind === 'instance');
      if (t.nodes.length <= CLUSTER_ABOVE) {
        expect(c.clusters.size).toBe(0);
        return;
      }
      expect(c.clusterOf.size).toBe(instances.length);
      const members = [...c.clusters.values()].flatMap((x) => x.members);
      expect(members.sort()).toEqual(instances.map((n) => n.id).sort());
      for (const cl of c.clusters.values()) {
        expect(cl.id).toBe(`cluster:${cl.network}`);
        for (const m of cl.members) expect(m.startsWith(`instance:${cl.network.slice('network:'.length)}-`)).toBe(true);
      }
      expect(c.clusters.size).toBe(counts.filter((x) => x > 0).length);
    }), { numRuns: 100 });
  });
});

describe('clusterInstances with projects', () => {
  it('a cluster holds one project\'s instances: the network\'s own as cluster:<network>, another\'s as cluster:<network>@<project>', () => {
    const PROJECTS = ['alpha', 'beta', 'gamma'];
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...PROJECTS), fc.array(fc.constantFrom(...PROJECTS), { minLength: 0, maxLength: 250, size: 'max' })), { minLength: 1, maxLength: 4, size: 'max' }), (nets) => {
      const base = synthetic(nets.map(([, owners]) => owners.length));
      const projectOf = (id: string): string => {
        const m = /^(network|instance):n(\d+)(?:-(\d+))?$/.exec(id);
        if (!m) return 'admin';
        const [own, owners] = nets[Number(m[2])]!;
        return m[3] === undefined ? own : owners[Number(m[3])]!;
      };
      const nodes = base.nodes.map((n) => ({ ...n, project: projectOf(n.id) }));
      const t: Topology = { ...base, nodes, byId: new Map(nodes.map((n) => [n.id, n])), projects: ['admin', ...PROJECTS] };
      const c = clusterInstances(t);
      if (t.nodes.length <= CLUSTER_ABOVE) return;
      for (const cl of c.clusters.values()) {
        const own = t.byId.get(cl.network)!.project;
        expect(cl.id).toBe(cl.project === own ? `cluster:${cl.network}` : `cluster:${cl.network}@${cl.project}`);
        for (const m of cl.members) expect(t.byId.get(m)!.project).toBe(cl.project);
      }
      const instances = t.nodes.filter((n) => n.kind === 'instance').map((n) => n.id);
      expect([...c.clusterOf.keys()].sort()).toEqual(instances.sort());
    }), { numRuns: 40, endOnFailure: true });
  });
});

describe('searchNodes', () => {
  it('finds any node first by its exact name and by each of its addresses', () => {
    const t = synthetic([120, 3, 60]);
    fc.assert(fc.property(fc.constantFrom(...t.nodes.filter((n) => n.kind === 'instance')), (n) => {
      expect(searchNodes(t, n.name, 1)[0]?.id).toBe(n.id);
      expect(searchNodes(t, n.name.toUpperCase(), 1)[0]?.id).toBe(n.id);
      expect(searchNodes(t, n.label, 1)[0]?.id).toBe(n.id);
    }), { numRuns: 100 });
  });

  it('ranks exact before prefix before substring, and finds nothing for nothing', () => {
    const t = synthetic([12]);
    expect(searchNodes(t, 'n0-1').map((n) => n.name)).toEqual(['n0-1', 'n0-10', 'n0-11']);
    expect(searchNodes(t, '-11').map((n) => n.name)).toEqual(['n0-11']);
    expect(searchNodes(t, '  ')).toEqual([]);
    expect(searchNodes(t, 'nothing-like-it')).toEqual([]);
  });
});

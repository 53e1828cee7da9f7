/**
 * The simulator builds instances, switches, routers and port firewalls when it first reaches
 * them (build-world.ts, firewall/install.ts). What it builds must not depend on when: a probe
 * gives the same trace whether every node was built up front or none, the wires are those of
 * the eager wiring (every port joined to its switch), and a trace in a large cloud builds few.
 */
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateLarge } from '../../../scripts/gen-large.js';
import { loadTopology, parseTopology, Simulator } from '../../../src/index.js';
import { probes, topologyDocument } from '../../../src/testing/index.js';
import type { WireEnd } from '../../../src/engine/build-world.js';
import type { Cloud } from '../../../src/topology/model.js';
import { INTERNET, nodeId, switchNodeOf } from '../../../src/topology/graph-ids.js';
import { LazyMap } from '../../../src/util/lazy-map.js';

const cloudOf = (input: string | object): Cloud => {
  const r = typeof input === 'string' && !input.includes('\n') ? loadTopology(input) : parseTopology(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues.slice(0, 3)));
  return r.cloud;
};

/** Builds every node, wire and filter of a simulator (what the simulator did before it was lazy). */
function forceAll(sim: Simulator): void {
  for (const n of sim.world.nodes.values()) expect(n).toBeDefined();
  for (const w of sim.world.wires.values()) expect(w).toBeDefined();
  for (const f of sim.filters.values()) expect(f).toBeDefined();
}

/** The eager wiring, as build-world did it for every port at once: node → port → other end. */
function eagerWires(cloud: Cloud): Map<string, Map<string, WireEnd>> {
  const wires = new Map<string, Map<string, WireEnd>>();
  const end = (a: WireEnd, b: WireEnd) => {
    if (!wires.has(a.node)) wires.set(a.node, new Map());
    wires.get(a.node)!.set(a.port, b);
  };
  const wire = (a: WireEnd, b: WireEnd) => { end(a, b); end(b, a); };
  for (const n of cloud.networks.values()) {
    for (const [a, b] of n.links) wire({ node: nodeId.switch(n, a), port: `${n.name}:${a}>${b}` }, { node: nodeId.switch(n, b), port: `${n.name}:${b}>${a}` });
  }
  for (const p of cloud.ports.values()) {
    const owner = p.owner.kind === 'instance' ? nodeId.instance(p.owner.name) : p.owner.kind === 'router' ? nodeId.router(p.owner.name) : nodeId.loadBalancer(p.owner.name);
    wire({ node: owner, port: p.id }, { node: switchNodeOf(cloud, p.id), port: p.id });
  }
  for (const e of cloud.externalNetworks.values()) wire({ node: INTERNET, port: `internet/${e.name}` }, { node: nodeId.external(e.name), port: `internet/${e.name}` });
  for (const h of cloud.externalHosts.values()) wire({ node: nodeId.host(h.name), port: `${h.name}/eth0` }, { node: INTERNET, port: `internet/${h.name}` });
  return wires;
}

const asObject = (m: ReadonlyMap<string, ReadonlyMap<string, WireEnd>>) => Object.fromEntries([...m].map(([k, v]) => [k, Object.fromEntries(v)]));

describe('the lazily built world', () => {
  const threeTier = cloudOf('topologies/three-tier.yaml');

  it('wires every node as the eager wiring does, in the same port order (every example topology)', () => {
    const files = readdirSync('topologies').filter((f) => f.endsWith('.yaml')).map((f) => `topologies/${f}`);
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const cloud = cloudOf(file);
      const sim = new Simulator(cloud);
      const eager = eagerWires(cloud);
      expect([...sim.world.wires.keys()].sort(), file).toEqual([...sim.world.nodes.keys()].sort());
      const lazy = new Map([...sim.world.wires].filter(([, w]) => w !== undefined));
      expect(asObject(lazy), file).toEqual(asObject(eager));
      for (const [node, ports] of eager) expect([...sim.world.wires.get(node)!.keys()], `${file} ${node}`).toEqual([...ports.keys()]);
    }
  });

  it('gives the same trace whether every node was built first or on the way (three-tier, 150 probes)', () => {
    fc.assert(fc.property(probes(threeTier), (p) => {
      const lazy = new Simulator(threeTier);
      const eager = new Simulator(threeTier);
      forceAll(eager);
      expect(JSON.stringify(lazy.probe(p))).toBe(JSON.stringify(eager.probe(p)));
    }), { numRuns: 150 });
  });

  it('gives the same traces over generated topologies, two probes in one simulation (100 runs)', () => {
    fc.assert(fc.property(topologyDocument().map(cloudOf).chain((cloud) => fc.tuple(fc.constant(cloud), probes(cloud), probes(cloud))), ([cloud, p, q]) => {
      const lazy = new Simulator(cloud);
      const eager = new Simulator(cloud);
      forceAll(eager);
      expect(JSON.stringify([lazy.probe(p), lazy.probe(q)])).toBe(JSON.stringify([eager.probe(p), eager.probe(q)]));
    }), { numRuns: 100 });
  });

  it('lists every node, and knows no other id', () => {
    const sim = new Simulator(threeTier);
    const ids = [...sim.world.nodes.keys()];
    expect(ids).toContain('instance:web-1');
    expect(ids).toContain('network:app');
    expect(ids).toContain(INTERNET);
    expect(sim.world.nodes.size).toBe(ids.length);
    for (const id of ids) expect(sim.world.nodes.has(id), id).toBe(true);
    for (const id of ['instance:nope', 'network:app/tor-9', 'router:', 'network:', 'web-1', 'lb:nope', 'instance:web-1/eth0']) expect(sim.world.nodes.get(id), id).toBeUndefined();
  });

  it('a trace across a 2,000-instance cloud builds only the nodes and firewalls near its path', () => {
    const cloud = cloudOf(generateLarge(2000));
    const sim = new Simulator(cloud);
    const v = sim.probe({ from: 'vm-00000', to: 'vm-00019', port: 80 });
    expect(v.verdict).toBe('delivered');
    const nodes = sim.world.nodes as LazyMap<string, unknown>;
    const filters = sim.filters as LazyMap<string, unknown>;
    // The two load balancers' members, the switches their health checks cross, the path.
    expect(nodes.builtCount).toBeLessThan(250);
    expect(nodes.size).toBeGreaterThan(2000);
    expect(filters.builtCount).toBeLessThan(250);
  });
});

describe('LazyMap', () => {
  it('builds a value once, on first use, and iterates in key order (200 runs)', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 50 })), fc.array(fc.integer({ min: -5, max: 60 })), (keys, asks) => {
      const made: number[] = [];
      const m = new LazyMap<number, string>(() => keys, (k) => (keys.includes(k) ? (made.push(k), `v${k}`) : undefined));
      for (const k of asks) expect(m.get(k)).toBe(keys.includes(k) ? `v${k}` : undefined);
      expect(new Set(made).size).toBe(made.length);
      expect(m.size).toBe(keys.length);
      expect([...m.keys()]).toEqual(keys);
      expect([...m]).toEqual(keys.map((k) => [k, `v${k}`]));
      expect([...m.values()]).toEqual(keys.map((k) => `v${k}`));
      expect(made.length).toBe(keys.length);
      const seen: number[] = [];
      m.forEach((_, k) => seen.push(k));
      expect(seen).toEqual(keys);
    }), { numRuns: 200 });
  });
});

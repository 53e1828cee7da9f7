/**
 * The rows of a node-state snapshot (src/engine/node-state.ts) beyond node-state.test.ts: the
 * node list sorted; each kind's snapshot has exactly its own rows and every other list empty;
 * a switch's MACs sorted by port, their age counted from when they were learnt; a tracked
 * connection's time left counting down; a port's groups with their rules and statefulness,
 * none shown when port security is off, none for an external host. From npm run mutate's
 * survivors.
 */
import { describe, expect, it } from 'vitest';
import { nodeState, stateNodes, type SimulatorView } from '../../../src/engine/node-state.js';
import { Simulator } from '../../../src/engine/simulator.js';
import { cloudOf } from '../audit/helpers.js';
import { cloudFromFile, probeSpec } from './probes.js';

const threeTier = cloudFromFile('topologies/three-tier.yaml');

/** The simulator seen `later` µs after its clock. */
const at = (sim: Simulator, later: number): SimulatorView => ({ cloud: sim.cloud, world: sim.world, filters: sim.filters, now: sim.now + later });

function afterProbe(): Simulator {
  const sim = new Simulator(threeTier);
  expect(sim.probe(probeSpec(threeTier, 'client', 'lb-fip', 'tcp', 80)).verdict).toBe('delivered');
  return sim;
}

describe('stateNodes', () => {
  it('sorts the node ids (the world holds them in build order)', () => {
    const sim = new Simulator(threeTier);
    const built = [...sim.world.nodes.keys()];
    const sorted = [...built].sort();
    expect(built).not.toEqual(sorted);
    expect(stateNodes(sim)).toEqual(sorted);
  });
});

describe('each kind shows its own rows, every other list empty', () => {
  const empty = { mac_table: [], neighbors: [], routes: [], conntrack: [], nat: [], security_groups: [], members: [] };
  const sim = afterProbe();

  it('a switch: its MAC table only', () => {
    const s = nodeState(sim, 'network:app')!;
    expect(s).toEqual({ ...empty, node: 'network:app', kind: 'switch', t: sim.now, mac_table: s.mac_table });
    expect(s.mac_table.length).toBeGreaterThan(1);
  });

  it('a router: neighbours, routes and NAT', () => {
    const s = nodeState(sim, 'router:edge')!;
    expect(s).toEqual({ ...empty, node: 'router:edge', kind: 'router', t: sim.now, neighbors: s.neighbors, routes: s.routes, nat: s.nat });
  });

  it('an instance: neighbours, routes, conntrack and groups', () => {
    const s = nodeState(sim, 'instance:web-1')!;
    expect(s).toEqual({ ...empty, node: 'instance:web-1', kind: 'host', t: sim.now, neighbors: s.neighbors, routes: s.routes, conntrack: s.conntrack, security_groups: s.security_groups });
  });

  it('a load balancer: neighbours, routes and members, kind load_balancer', () => {
    const s = nodeState(sim, 'lb:web-lb')!;
    expect(s).toEqual({ ...empty, node: 'lb:web-lb', kind: 'load_balancer', t: sim.now, neighbors: s.neighbors, routes: s.routes, members: s.members });
  });

  it('an instance nobody talked to has no neighbour yet; an external host has no conntrack and no groups', () => {
    const fresh = new Simulator(threeTier);
    expect(nodeState(fresh, 'instance:db-1')!.neighbors).toEqual([]);
    const client = nodeState(sim, 'host:client')!;
    expect(client.conntrack).toEqual([]);
    expect(client.security_groups).toEqual([]);
  });
});

describe('times and order', () => {
  const sim = afterProbe();

  it('a switch\'s MACs sorted by port, each aged from when it was learnt (never more than the clock)', () => {
    const rows = nodeState(sim, 'network:app')!.mac_table;
    expect(rows).toEqual([...rows].sort((a, b) => a.port.localeCompare(b.port) || a.mac.localeCompare(b.mac)));
    // Sorting by MAC alone would give another order: the port really is the first key.
    expect(rows.map((r) => r.mac)).not.toEqual(rows.map((r) => r.mac).sort());
    for (const r of rows) expect(r.age_us).toBeGreaterThanOrEqual(0);
    for (const r of rows) expect(r.age_us).toBeLessThanOrEqual(sim.now);
    expect(rows.some((r) => r.age_us < sim.now)).toBe(true);
    // A millisecond later every entry is a millisecond older.
    expect(nodeState(at(sim, 1000), 'network:app')!.mac_table.map((r) => r.age_us)).toEqual(rows.map((r) => r.age_us + 1000));
  });

  it('a tracked connection\'s time left counts down with the clock', () => {
    const now = nodeState(sim, 'instance:web-1')!.conntrack;
    const later = nodeState(at(sim, 1000), 'instance:web-1')!.conntrack;
    expect(now.length).toBeGreaterThan(0);
    expect(later.map((c) => c.expires_in_us)).toEqual(now.map((c) => c.expires_in_us - 1000));
  });
});

describe('a port\'s groups', () => {
  const cloud = cloudOf(`version: 1
name: groups
networks:
  lan:
    subnets:
      lan-v4: { cidr: 10.0.0.0/24 }
security_groups:
  web:
    rules:
      - { direction: ingress, protocol: tcp, ports: 80 }
      - { direction: ingress, protocol: icmp }
  plain:
    stateful: false
    rules:
      - { direction: ingress, protocol: udp, ports: 53 }
instances:
  a: { ports: [{ subnet: lan-v4, security_groups: [web] }] }
  c: { ports: [{ subnet: lan-v4, security_groups: [plain] }] }
  b: { ports: [{ subnet: lan-v4, port_security: false }] }
`);
  const sim = new Simulator(cloud);

  it('each group with its statefulness and its rules as written', () => {
    const groups = (instance: string) => nodeState(sim, `instance:${instance}`)!.security_groups.flatMap((row) => row.groups);
    const texts = (group: string) => cloud.securityGroups.get(group)!.rules.map((r) => r.text);
    expect(nodeState(sim, 'instance:a')!.security_groups.map((row) => row.port_security)).toEqual([true]);
    expect(groups('a')).toEqual([{ name: 'web', stateful: true, rules: texts('web') }]);
    expect(groups('c')).toEqual([{ name: 'plain', stateful: false, rules: texts('plain') }]);
    expect(texts('web').length).toBeGreaterThan(1);
  });

  it('port security off: the port is listed with no groups', () => {
    expect(nodeState(sim, 'instance:b')!.security_groups).toEqual([{ port: cloud.instances.get('b')!.ports[0], port_security: false, groups: [] }]);
  });
});

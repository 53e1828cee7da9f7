/**
 * The node-state snapshot (src/engine/node-state.ts) the viewer's state panel shows: what a
 * probe leaves behind in each kind of node — a switch's learned MACs, a router's routes, ARP
 * cache and NAT entry, an instance's conntrack and groups, a load balancer's members — and
 * that taking a snapshot changes nothing (the same probe afterwards gives the same trace as
 * in a simulator nobody looked at).
 */
import { describe, expect, it } from 'vitest';
import { nodeState, stateNodes } from '../../../src/engine/node-state.js';
import { Simulator } from '../../../src/engine/simulator.js';
import { cloudFromFile, probeSpec } from './probes.js';

const cloud = cloudFromFile('topologies/three-tier.yaml');
const spec = (from: string, to: string, port: number) => probeSpec(cloud, from, to, 'tcp', port);

describe('nodeState', () => {
  it('is undefined for a node the simulation does not have; lists every node it has', () => {
    const sim = new Simulator(cloud);
    expect(nodeState(sim, 'router:nope')).toBeUndefined();
    expect(stateNodes(sim)).toContain('router:edge');
    expect(stateNodes(sim)).toContain('network:app');
    for (const id of stateNodes(sim)) expect(nodeState(sim, id)?.node).toBe(id);
  });

  it('before any probe: routes, no NAT; an instance tracks only the load balancer\'s health checks', () => {
    const sim = new Simulator(cloud);
    const edge = nodeState(sim, 'router:edge')!;
    expect(edge.kind).toBe('router');
    expect(edge.routes.map((r) => r.prefix)).toEqual(expect.arrayContaining(['10.0.0.0/24', '10.0.1.0/24', '0.0.0.0/0']));
    expect(edge.routes.find((r) => r.prefix === '0.0.0.0/0')).toMatchObject({ nexthop: '203.0.113.1', kind: 'default' });
    expect(edge.nat).toEqual([]);
    const checks = nodeState(sim, 'instance:web-1')!.conntrack;
    expect(checks.length).toBeGreaterThan(0);
    for (const c of checks) expect(c.flow).toMatch(/^tcp 10\.0\.0\.100:\d+ → 10\.0\.0\.2:80$/);
  });

  it('after client → lb-fip tcp/80: the NAT entry, the ARP entries, the learned MACs, the tracked connection, healthy members', () => {
    const sim = new Simulator(cloud);
    const verdict = sim.probe(spec('client', 'lb-fip', 80));
    expect(verdict.verdict).toBe('delivered');
    const member = verdict.lb!.member;
    const edge = nodeState(sim, 'router:edge')!;
    expect(edge.nat).toHaveLength(1);
    expect(edge.nat[0]!.original).toBe('198.51.100.7:40001 → 203.0.113.80:80');
    expect(edge.nat[0]!.translated).toMatch(/^198\.51\.100\.7:40001 → 10\.0\.0\.\d+:80$/);
    expect(edge.neighbors.map((n) => n.ip)).toEqual(expect.arrayContaining(['203.0.113.1']));

    const app = nodeState(sim, 'network:app')!;
    expect(app.kind).toBe('switch');
    expect(app.mac_table.map((r) => r.port)).toEqual(expect.arrayContaining(['edge/qr-web', `${member}/eth0`]));
    for (const r of app.mac_table) expect(r.age_us).toBeGreaterThanOrEqual(0);

    const web = nodeState(sim, `instance:${member}`)!;
    expect(web.kind).toBe('host');
    const client = web.conntrack.filter((c) => c.flow.includes('198.51.100.7'));
    expect(client).toHaveLength(1);
    expect(client[0]).toMatchObject({ port: `${member}/eth0`, opened_by: 'ingress', replied: true, flow: `tcp 198.51.100.7:40001 → ${verdict.observed!.dst}:80` });
    expect(web.security_groups[0]!.groups.map((g) => g.name)).toEqual(['web', 'ssh']);
    expect(web.routes.some((r) => r.kind === 'default' && r.nexthop === '10.0.0.1')).toBe(true);

    const lb = nodeState(sim, 'lb:web-lb')!;
    expect(lb.members.map((m) => [m.member, m.health])).toEqual([['web-1', 'up'], ['web-2', 'up']]);
  });

  it('reads only: snapshots between probes do not change what the next probe does', () => {
    const watched = new Simulator(cloud);
    const alone = new Simulator(cloud);
    const probe = spec('client', 'web-1-fip', 80);
    watched.probe(probe);
    alone.probe(probe);
    for (const id of stateNodes(watched)) nodeState(watched, id);
    expect(watched.probe(probe)).toEqual(alone.probe(probe));
  });
});

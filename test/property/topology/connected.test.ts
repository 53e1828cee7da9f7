/**
 * isConnected (union-find over the graph's node ids) against graphology's components of
 * buildGraph on the same cloud: clouds with networks that routers may or may not join, routers
 * with and without external gateways, external hosts, load balancers and two-switch fabrics, so
 * that islands come and go. The island warnings are built from the graph only when isConnected
 * says there are some, so the two must agree.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConnected } from '../../../src/topology/connected.js';
import { buildGraph, components } from '../../../src/topology/graph.js';
import { parseTopology } from '../../../src/topology/load.js';

const cloudDoc = fc.record({
  networks: fc.integer({ min: 1, max: 5 }),
  routers: fc.array(fc.record({ joins: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), gateway: fc.boolean() }), { maxLength: 3 }),
  instances: fc.array(fc.record({ net: fc.integer({ min: 0, max: 4 }), tor: fc.boolean() }), { maxLength: 6 }),
  external: fc.boolean(),
  host: fc.boolean(),
  fabric: fc.boolean(),
  lb: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
}).map((d) => {
  const net = (i: number) => i % d.networks;
  const external = d.external || d.routers.some((r) => r.gateway);
  return {
    version: 1,
    ...(external ? { external_networks: { public: { cidr: '203.0.113.0/24', gateway: '203.0.113.1', pool: '203.0.113.10-203.0.113.250' } } } : {}),
    networks: Object.fromEntries(Array.from({ length: d.networks }, (_, i) => [`n${i}`, {
      // Network 0 may be a fabric of two switches joined by a link.
      ...(i === 0 && d.fabric ? { switches: ['tor', 'spine'], links: [['tor', 'spine']] } : {}),
      subnets: { [`s${i}`]: { cidr: `10.${i}.0.0/24` } },
    }])),
    routers: Object.fromEntries(d.routers.map((r, k) => [`r${k}`, {
      ...(r.gateway ? { external_gateway: { network: 'public' } } : {}),
      interfaces: [...new Set(r.joins.map(net))].map((i) => ({ subnet: `s${i}`, ip: `10.${i}.0.${10 + k}` })),
    }])),
    instances: Object.fromEntries(d.instances.map((x, k) => [`vm${k}`, { ports: [{ subnet: `s${net(x.net)}`, ...(net(x.net) === 0 && d.fabric && x.tor ? { switch: 'tor' } : {}) }] }])),
    ...(d.host ? { external_hosts: { client: { ip: '198.51.100.7' } } } : {}),
    ...(d.lb !== undefined ? { load_balancers: { lb: { subnet: `s${net(d.lb)}`, listeners: [{ protocol: 'tcp', port: 80, pool: 'p' }], pools: { p: { algorithm: 'round_robin', members: [] } } } } } : {}),
  };
});

describe('isConnected (property)', () => {
  it('agrees with the components of buildGraph', () => {
    let islands = 0;
    let whole = 0;
    fc.assert(fc.property(cloudDoc, (doc) => {
      const loaded = parseTopology(JSON.stringify(doc), 'cloud.json');
      if (!loaded.ok) throw new Error(`the generated cloud does not load: ${loaded.issues.map((i) => `${i.code} ${i.message}`).join('; ')}`);
      const pieces = components(buildGraph(loaded.cloud)).length;
      expect(isConnected(loaded.cloud)).toBe(pieces <= 1);
      if (pieces > 1) islands++;
      else whole++;
      // The island warnings are there exactly when the graph is in pieces.
      expect(loaded.warnings.some((w) => w.code === 'island')).toBe(pieces > 1);
    }), { numRuns: 300 });
    // Both outcomes were exercised.
    expect(islands).toBeGreaterThan(10);
    expect(whole).toBeGreaterThan(10);
  });
});

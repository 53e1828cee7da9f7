/**
 * A load balancer with no route to a member (src/lb/lb-node.ts's send): its VIP subnet has no
 * gateway (`gateway: null`), so the node has only the connected route, and the member sits on
 * another subnet. The health checks cannot leave, time out, and the member goes down, as in
 * Octavia when the amphora cannot reach a member: nothing is sent, nothing throws, and a client
 * on the VIP's subnet is refused with the member named.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/library/simulator.js';
import { parseTopology } from '../../../src/topology/load.js';

const TOPOLOGY = `
version: 1
networks:
  app:
    subnets:
      web: { cidr: 10.0.0.0/24 }
      vips: { cidr: 10.0.2.0/24, gateway: null }
routers:
  edge: { interfaces: [web] }
instances:
  web-1: { ports: [web], services: [tcp/80] }
  client: { ports: [vips] }
load_balancers:
  lb:
    subnet: vips
    listeners: [{ protocol: tcp, port: 80, pool: p }]
    pools:
      p:
        members: [web-1]
        health_monitor: { type: tcp, interval: 5, timeout: 2, retries: 3 }
`;

describe('a load balancer with no route to its member', () => {
  it('sends no health check, marks the member down and refuses the client', () => {
    const loaded = parseTopology(TOPOLOGY, 'lb-no-route.yaml');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const sim = new Simulator(loaded.cloud);
    const v = sim.probe({ from: 'client', to: 'lb', proto: 'tcp', port: 80 });
    expect(v.verdict).toBe('refused');
    expect(v.reason).toBe('load balancer lb: no healthy member in pool p (down: web-1)');
    // In the background (probe 0) only the checks and their failures: not one check left the LB.
    const background = sim.drainEvents().filter((e) => e.probe === 0);
    expect(new Set(background.map((e) => `${e.node} ${e.stage}`))).toEqual(new Set(['lb:lb lb.health']));
    expect(background.map((e) => e.action).slice(0, 6)).toEqual(['check', 'fail', 'check', 'fail', 'check', 'member-down']);
  });
});

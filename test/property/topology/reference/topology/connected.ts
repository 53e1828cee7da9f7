/**
 * Whether the cloud's graph (graph.ts: the same nodes, and an edge per port and link) is in one
 * piece, by union-find over its node ids. The island warnings need graphology's components only
 * when it is not: building that graph for 100,000 instances just to find one component cost
 * seconds of every load.
 */
import type { Cloud } from '../../../../../src/topology/model.js';

/**
 * True when the graph has at most one component; undefined when an edge names a node the graph
 * would not have (let buildGraph decide). Nodes are numbered, not named: building an id string
 * per instance and port and hashing it cost most of a second at 100,000 instances.
 */
export function isConnected(cloud: Cloud): boolean | undefined {
  const parent: number[] = [];
  const add = (): number => {
    parent.push(parent.length);
    return parent.length - 1;
  };
  const root = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  // Nodes first (as buildGraph adds them): each network's switches, external networks, the internet.
  const switches = new Map<string, Map<string, number>>();
  for (const n of cloud.networks.values()) {
    const mine = new Map<string, number>();
    for (const sw of n.switches) if (!mine.has(sw)) mine.set(sw, add());
    switches.set(n.name, mine);
  }
  const externals = new Map<string, number>();
  for (const e of cloud.externalNetworks.values()) externals.set(e.name, add());
  const internet = cloud.externalNetworks.size > 0 || cloud.externalHosts.size > 0 ? add() : -1;
  let components = parent.length;
  let unknown = false;
  const edge = (i: number | undefined, j: number | undefined): void => {
    if (i === undefined || j === undefined || i < 0 || j < 0) {
      unknown = true;
      return;
    }
    const ri = root(i);
    const rj = root(j);
    if (ri !== rj) {
      parent[ri] = rj;
      components--;
    }
  };
  /** A node of its own (an instance, router, host or load balancer), counted as a component. */
  const own = (): number => {
    components++;
    return add();
  };
  const switchOf = (portId: string): number | undefined => {
    const p = cloud.ports.get(portId);
    if (p === undefined) return undefined;
    return p.external ? externals.get(p.network) : switches.get(p.network)?.get(p.switch);
  };
  for (const n of cloud.networks.values()) {
    const mine = switches.get(n.name)!;
    for (const [a, b] of n.links) edge(mine.get(a), mine.get(b));
  }
  for (const e of cloud.externalNetworks.values()) edge(externals.get(e.name), internet);
  for (let k = 0; k < cloud.externalHosts.size; k++) edge(own(), internet);
  for (const i of cloud.instances.values()) {
    const node = own();
    for (const p of i.ports) edge(node, switchOf(p));
  }
  for (const r of cloud.routers.values()) {
    const node = own();
    for (const p of r.interfaces) edge(node, switchOf(p));
    if (r.externalGateway) edge(node, externals.get(r.externalGateway.network));
  }
  for (const lb of cloud.loadBalancers.values()) edge(own(), switchOf(lb.vipPort));
  return unknown ? undefined : components <= 1;
}

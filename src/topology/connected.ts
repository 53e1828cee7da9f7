/**
 * Whether the cloud's graph (graph.ts: the same nodes, and an edge per port and link) is in one
 * piece, by union-find over its node ids. The island warnings need graphology's components only
 * when it is not: building that graph for 100,000 instances just to find one component cost
 * seconds of every load.
 */
import type { Cloud } from './model.js';
import { INTERNET, nodeId, switchNodeOf } from './graph-ids.js';

/** True when the graph has at most one component; undefined when an edge names a node the graph would not have (let buildGraph decide). */
export function isConnected(cloud: Cloud): boolean | undefined {
  const index = new Map<string, number>();
  const parent: number[] = [];
  const node = (id: string): void => {
    if (!index.has(id)) {
      index.set(id, parent.length);
      parent.push(parent.length);
    }
  };
  const root = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  let components = 0;
  let unknown = false;
  const edge = (a: string, b: string): void => {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined) {
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
  // Nodes first (as buildGraph adds them), then every edge.
  for (const n of cloud.networks.values()) for (const sw of n.switches) node(nodeId.switch(n, sw));
  for (const e of cloud.externalNetworks.values()) node(nodeId.external(e.name));
  if (cloud.externalNetworks.size > 0 || cloud.externalHosts.size > 0) node(INTERNET);
  for (const h of cloud.externalHosts.values()) node(nodeId.host(h.name));
  for (const i of cloud.instances.values()) node(nodeId.instance(i.name));
  for (const r of cloud.routers.values()) node(nodeId.router(r.name));
  for (const lb of cloud.loadBalancers.values()) node(nodeId.loadBalancer(lb.name));
  components = parent.length;
  for (const n of cloud.networks.values()) for (const [a, b] of n.links) edge(nodeId.switch(n, a), nodeId.switch(n, b));
  for (const e of cloud.externalNetworks.values()) edge(nodeId.external(e.name), INTERNET);
  for (const h of cloud.externalHosts.values()) edge(nodeId.host(h.name), INTERNET);
  for (const i of cloud.instances.values()) for (const p of i.ports) edge(nodeId.instance(i.name), switchNodeOf(cloud, p));
  for (const r of cloud.routers.values()) {
    for (const p of r.interfaces) edge(nodeId.router(r.name), switchNodeOf(cloud, p));
    if (r.externalGateway) edge(nodeId.router(r.name), nodeId.external(r.externalGateway.network));
  }
  for (const lb of cloud.loadBalancers.values()) edge(nodeId.loadBalancer(lb.name), switchNodeOf(cloud, lb.vipPort));
  return unknown ? undefined : components <= 1;
}

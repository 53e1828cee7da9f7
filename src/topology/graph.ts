/**
 * The cloud as a graph (graphology): nodes are instances, networks (switches), routers, load
 * balancers, external networks, the internet and external hosts; an edge is a port (its id is
 * the edge key). The engine walks it, the viewer draws it, checks look for islands in it.
 */
import { MultiUndirectedGraph } from 'graphology';
import type { Cloud } from './model.js';
import { ADMIN_PROJECT } from './projects.js';
import { INTERNET, nodeId, switchNodeOf } from './graph-ids.js';

export { INTERNET, nodeId, switchNodeOf };

export type NodeKind = 'instance' | 'network' | 'router' | 'load_balancer' | 'external_network' | 'internet' | 'external_host';

export interface NodeAttributes {
  readonly kind: NodeKind;
  readonly name: string;
  /** The project that owns it (admin for external networks, external hosts and the internet). */
  readonly project: string;
  /** Addresses to show next to the node. */
  readonly label: string;
}

export interface EdgeAttributes {
  /** The port this edge stands for (empty for the external network ↔ internet and host links). */
  readonly port: string;
  readonly addresses: readonly string[];
}

export type CloudGraph = MultiUndirectedGraph<NodeAttributes, EdgeAttributes>;

export function buildGraph(cloud: Cloud): CloudGraph {
  const g: CloudGraph = new MultiUndirectedGraph<NodeAttributes, EdgeAttributes>({ allowSelfLoops: false });
  const portAddresses = (id: string) => cloud.ports.get(id)?.fixedIps.map((f) => f.address.text) ?? [];
  for (const n of cloud.networks.values()) {
    const cidrs = n.subnets.map((s) => cloud.subnets.get(s)?.cidr.text ?? s).join(', ');
    for (const sw of n.switches) g.addNode(nodeId.switch(n, sw), { kind: 'network', name: n.switches.length > 1 ? `${n.name}/${sw}` : n.name, project: n.project, label: cidrs });
    for (const [a, b] of n.links) g.addEdgeWithKey(`link:${n.name}:${a}-${b}`, nodeId.switch(n, a), nodeId.switch(n, b), { port: '', addresses: [] });
  }
  for (const e of cloud.externalNetworks.values()) g.addNode(nodeId.external(e.name), { kind: 'external_network', name: e.name, project: e.project, label: e.cidr.text });
  if (cloud.externalNetworks.size > 0 || cloud.externalHosts.size > 0) g.addNode(INTERNET, { kind: 'internet', name: 'internet', project: ADMIN_PROJECT, label: '' });
  for (const e of cloud.externalNetworks.values()) g.addEdgeWithKey(`uplink:${e.name}`, nodeId.external(e.name), INTERNET, { port: '', addresses: e.gateway ? [e.gateway.text] : [] });
  for (const h of cloud.externalHosts.values()) {
    g.addNode(nodeId.host(h.name), { kind: 'external_host', name: h.name, project: h.project, label: h.address.text });
    g.addEdgeWithKey(`host:${h.name}`, nodeId.host(h.name), INTERNET, { port: '', addresses: [h.address.text] });
  }
  for (const i of cloud.instances.values()) {
    const addrs = i.ports.flatMap(portAddresses);
    g.addNode(nodeId.instance(i.name), { kind: 'instance', name: i.name, project: i.project, label: addrs.join(', ') });
    for (const p of i.ports) g.addEdgeWithKey(p, nodeId.instance(i.name), switchNodeOf(cloud, p), { port: p, addresses: portAddresses(p) });
  }
  for (const r of cloud.routers.values()) {
    g.addNode(nodeId.router(r.name), { kind: 'router', name: r.name, project: r.project, label: r.externalGateway?.address.text ?? '' });
    for (const p of r.interfaces) g.addEdgeWithKey(p, nodeId.router(r.name), switchNodeOf(cloud, p), { port: p, addresses: portAddresses(p) });
    if (r.externalGateway) g.addEdgeWithKey(r.externalGateway.port, nodeId.router(r.name), nodeId.external(r.externalGateway.network), { port: r.externalGateway.port, addresses: [r.externalGateway.address.text] });
  }
  for (const lb of cloud.loadBalancers.values()) {
    g.addNode(nodeId.loadBalancer(lb.name), { kind: 'load_balancer', name: lb.name, project: lb.project, label: lb.vip.text });
    g.addEdgeWithKey(lb.vipPort, nodeId.loadBalancer(lb.name), switchNodeOf(cloud, lb.vipPort), { port: lb.vipPort, addresses: [lb.vip.text] });
  }
  return g;
}

/** Connected components, each a list of node ids, in node insertion order. */
export function components(g: CloudGraph): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  g.forEachNode((start) => {
    if (seen.has(start)) return;
    const comp: string[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length > 0) {
      const n = stack.pop()!;
      comp.push(n);
      g.forEachNeighbor(n, (m) => { if (!seen.has(m)) { seen.add(m); stack.push(m); } });
    }
    out.push(comp);
  });
  return out;
}

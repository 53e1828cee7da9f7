/**
 * The node ids of the cloud's graph (graph.ts), apart from graphology so that code which only
 * needs the ids (connected.ts, run at every load) does not load the graph library.
 */
import type { Cloud } from './model.js';

export const INTERNET = 'internet';
export const nodeId = {
  instance: (n: string) => `instance:${n}`,
  network: (n: string) => `network:${n}`,
  router: (n: string) => `router:${n}`,
  loadBalancer: (n: string) => `lb:${n}`,
  external: (n: string) => `external:${n}`,
  host: (n: string) => `host:${n}`,
  /** A network's switch: `network:app`, or `network:app/tor-1` in a fabric of several. */
  switch: (net: { readonly name: string; readonly switches: readonly string[] }, sw: string) => (net.switches.length > 1 ? `network:${net.name}/${sw}` : `network:${net.name}`),
};

/** The switch node a port plugs into. */
export function switchNodeOf(cloud: Cloud, portId: string): string {
  const p = cloud.ports.get(portId)!;
  if (p.external) return nodeId.external(p.network);
  return nodeId.switch(cloud.networks.get(p.network)!, p.switch);
}

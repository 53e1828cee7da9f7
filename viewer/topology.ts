/**
 * The topology as the page holds it, from hello's compact form: nodes and links by id, the
 * clusters a large cloud draws instead of its instances (one per network, with a count), and
 * search by name or address. Pure, so the clustering and the search are tested without a page.
 */
import type { CompactTopology, NodeKind } from './types.js';

export interface TopoNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly name: string;
  /** Addresses, space-separated (`10.0.0.2, 2001:db8::2`). */
  readonly label: string;
  /** The node's project, when the cloud has more than one. */
  readonly project?: string;
}

export interface Topology {
  readonly nodes: readonly TopoNode[];
  readonly edges: readonly (readonly [string, string])[];
  readonly byId: ReadonlyMap<string, TopoNode>;
  /** The cloud's projects when it has more than one, else empty. */
  readonly projects: readonly string[];
}

/** Clouds with more nodes than this draw a network's instances as one cluster node. */
export const CLUSTER_ABOVE = 400;

export interface Cluster {
  /** `cluster:<network id>`, or `cluster:<network id>@<project>` for another project's instances on it. */
  readonly id: string;
  readonly network: string;
  readonly members: readonly string[];
  /** The members' project (each cluster holds one project's instances), when the cloud has projects. */
  readonly project?: string;
}

export interface Clustering {
  /** Instance id → its cluster's id. */
  readonly clusterOf: ReadonlyMap<string, string>;
  readonly clusters: ReadonlyMap<string, Cluster>;
}

const shortNode = (id: string): string => id.replace(/^(instance|network|router|external|host|lb):/, '');

export function expandCompact(t: CompactTopology): Topology {
  const projects = t.projects ?? [];
  const nodes = t.nodes.map((n, i): TopoNode => {
    const project = projects[t.project_of?.[i] ?? -1];
    return { id: n[0], kind: t.kinds[n[1]]!, label: n[2], name: n[3] ?? shortNode(n[0]), ...(project !== undefined ? { project } : {}) };
  });
  const edges: [string, string][] = [];
  for (let i = 0; i + 1 < t.edges.length; i += 2) edges.push([nodes[t.edges[i]!]!.id, nodes[t.edges[i + 1]!]!.id]);
  return { nodes, edges, byId: new Map(nodes.map((n) => [n.id, n])), projects };
}

/**
 * Above `above` nodes, every instance joins the cluster of its first network (by id) and its
 * project: the network's own project's instances (or all, in a cloud of one project) make
 * `cluster:<network>`, another project's `cluster:<network>@<project>`, so that a cluster is
 * drawn in its project's place. Below, nothing is clustered. Members are in name order.
 */
export function clusterInstances(t: Topology, above = CLUSTER_ABOVE): Clustering {
  const clusterOf = new Map<string, string>();
  const clusters = new Map<string, Cluster & { members: string[] }>();
  if (t.nodes.length <= above) return { clusterOf, clusters };
  const networkOf = new Map<string, string>();
  for (const [a, b] of t.edges) {
    for (const [inst, net] of [[a, b], [b, a]] as const) {
      if (t.byId.get(inst)?.kind !== 'instance' || t.byId.get(net)?.kind !== 'network') continue;
      const had = networkOf.get(inst);
      if (had === undefined || net < had) networkOf.set(inst, net);
    }
  }
  const sorted = [...networkOf.entries()].sort(([a], [b]) => t.byId.get(a)!.name.localeCompare(t.byId.get(b)!.name) || a.localeCompare(b));
  for (const [inst, net] of sorted) {
    const project = t.byId.get(inst)!.project;
    const own = project === undefined || project === t.byId.get(net)!.project;
    const id = own ? `cluster:${net}` : `cluster:${net}@${project}`;
    let c = clusters.get(id);
    if (!c) clusters.set(id, (c = { id, network: net, members: [], ...(project !== undefined ? { project } : {}) }));
    c.members.push(inst);
    clusterOf.set(inst, id);
  }
  return { clusterOf, clusters };
}

/**
 * Nodes whose name or one of whose addresses matches: exact matches first, then prefixes, then
 * substrings; at most `limit`. Case-insensitive; an empty query finds nothing.
 */
export function searchNodes(t: Topology, query: string, limit = 20): TopoNode[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  const rank = (n: TopoNode): number => {
    const keys = [n.name.toLowerCase(), n.id.toLowerCase(), ...n.label.toLowerCase().split(/[\s,]+/).filter(Boolean)];
    if (keys.some((k) => k === q)) return 0;
    if (keys.some((k) => k.startsWith(q))) return 1;
    if (keys.some((k) => k.includes(q))) return 2;
    return 3;
  };
  const found: [number, TopoNode][] = [];
  for (const n of t.nodes) {
    const r = rank(n);
    if (r < 3) found.push([r, n]);
  }
  found.sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name));
  return found.slice(0, limit).map(([, n]) => n);
}

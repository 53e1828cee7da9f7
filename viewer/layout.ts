/**
 * A deterministic layered layout of the cloud graph, top to bottom as traffic enters a cloud:
 * external hosts, the internet, external networks, routers, networks, then instances and load
 * balancers. Within a layer nodes are ordered by the mean position of their neighbours already
 * placed above (fewer crossings), ties by name; a wide layer wraps into rows. The same graph
 * always gives the same picture: no randomness, no force simulation.
 */
import type { NodeKind } from './types.js';

export interface LayoutNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly name: string;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export const LAYER_OF: Readonly<Record<NodeKind, number>> = {
  external_host: 0,
  internet: 1,
  external_network: 2,
  router: 3,
  network: 4,
  load_balancer: 5,
  instance: 5,
};

/** Nodes per row before a layer wraps. */
export const MAX_ROW = 10;
const GAP_X = 1.4;
const GAP_Y = 0.55;
const ROW_GAP = 0.35;

/** Graph coordinates (y grows upwards, as sigma draws them) for every node. */
export function layeredLayout(nodes: readonly LayoutNode[], edges: readonly (readonly [string, string])[]): Map<string, Point> {
  const neighbors = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const [a, b] of edges) {
    neighbors.get(a)?.push(b);
    neighbors.get(b)?.push(a);
  }
  const layers = new Map<number, LayoutNode[]>();
  for (const n of nodes) {
    const l = LAYER_OF[n.kind];
    const list = layers.get(l) ?? [];
    list.push(n);
    layers.set(l, list);
  }
  const byName = (a: LayoutNode, b: LayoutNode) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
  const order = new Map<string, number>();
  const ordered = new Map<number, LayoutNode[]>();
  const levels = [...layers.keys()].sort((a, b) => a - b);

  // Downwards: each layer follows the order of what it hangs from.
  for (const level of levels) {
    const list = [...layers.get(level)!].sort(byName);
    const key = new Map(list.map((n, i) => [n.id, barycenter(neighbors.get(n.id)!, order) ?? 2 + i]));
    list.sort((a, b) => key.get(a.id)! - key.get(b.id)! || byName(a, b));
    list.forEach((n, i) => order.set(n.id, i / Math.max(1, list.length - 1)));
    ordered.set(level, list);
  }
  // The top layer has nothing above it: order it by what it connects to below.
  const top = levels[0];
  if (top !== undefined) {
    const list = ordered.get(top)!;
    const others = new Map([...order].filter(([id]) => !list.some((n) => n.id === id)));
    const key = new Map(list.map((n, i) => [n.id, barycenter(neighbors.get(n.id)!, others) ?? i]));
    list.sort((a, b) => key.get(a.id)! - key.get(b.id)! || byName(a, b));
  }

  const out = new Map<string, Point>();
  let y = 0;
  for (const level of levels) {
    const list = ordered.get(level)!;
    const rows = Math.ceil(list.length / MAX_ROW);
    for (let r = 0; r < rows; r++) {
      const row = list.slice(r * MAX_ROW, (r + 1) * MAX_ROW);
      row.forEach((n, i) => out.set(n.id, { x: (i - (row.length - 1) / 2) * GAP_X, y: -y }));
      y += r < rows - 1 ? ROW_GAP : GAP_Y;
    }
  }
  return out;
}

/** Mean of the neighbours' relative positions, over those already placed (undefined: none). */
function barycenter(neighbors: readonly string[], order: ReadonlyMap<string, number>): number | undefined {
  let sum = 0;
  let count = 0;
  for (const n of neighbors) {
    const p = order.get(n);
    if (p === undefined) continue;
    sum += p;
    count++;
  }
  return count === 0 ? undefined : sum / count;
}

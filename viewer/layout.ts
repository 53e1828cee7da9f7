/**
 * A deterministic layered layout of the cloud graph, top to bottom as traffic enters a cloud:
 * external hosts, the internet, external networks, routers, networks, then instances and load
 * balancers. Within a layer a node sits under the mean position of its neighbours already
 * placed above (fewer crossings, short links), ties by name; a wide layer becomes blocks, one per
 * set of nodes that hang from the same place (a network's instances), each a small grid under
 * its parent, so a large cloud still reads as networks over their instances. The
 * switches of a fabric (a network of several switches) take rows of their own, by hops from the
 * switch a router plugs into, so a spine sits above its racks and no link runs along a row
 * through another switch. With several projects (groupedLayout) each project's nodes take a
 * column of their own, laid out the same way, and the outside (internet, external networks and
 * hosts) a band above them all. The same graph always gives the same picture: no randomness, no
 * force simulation.
 */
import type { NodeKind } from './types.js';

export interface LayoutNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly name: string;
  /** The node's project (groupedLayout only); none: admin's. */
  readonly project?: string | undefined;
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

/** Nodes per row before a layer turns into blocks, and the most columns a block has. */
export const MAX_ROW = 10;
/** The least horizontal distance between two nodes of one row. */
export const GAP_X = 1.4;
const GAP_Y = 0.55;
/** Between the rows of a layer of instances (a dense grid), and of any other layer (networks and their clusters, labelled). */
const ROW_GAP = 0.35;
const WIDE_ROW_GAP = 0.7;

/**
 * Graph coordinates (y grows upwards, as sigma draws them) for every node. `aspect`: the
 * width / height the picture should at least have (the viewport's), so that a tall, narrow
 * cloud spreads sideways instead of crowding its labels.
 */
export function layeredLayout(nodes: readonly LayoutNode[], edges: readonly (readonly [string, string])[], aspect = 0): Map<string, Point> {
  const neighbors = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const [a, b] of edges) {
    neighbors.get(a)?.push(b);
    neighbors.get(b)?.push(a);
  }
  // Sorted so that means are summed in one order whatever order the edges came in.
  for (const list of neighbors.values()) list.sort();
  const layers = new Map<number, LayoutNode[]>();
  const depth = fabricDepths(nodes, neighbors);
  for (const n of nodes) {
    // A fabric's rows stay inside the network layer (below 4 + 1).
    const l = LAYER_OF[n.kind] + (depth.get(n.id) ?? 0) / (nodes.length + 1);
    const list = layers.get(l) ?? [];
    list.push(n);
    layers.set(l, list);
  }
  const byName = (a: LayoutNode, b: LayoutNode) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
  const levels = [...layers.keys()].sort((a, b) => a - b);
  const x = new Map<string, number>();
  const rowsOf = new Map<number, LayoutNode[][]>();

  // Downwards: each node goes under the mean of what it hangs from, spread to keep a gap.
  for (const level of levels) {
    const rows = placeLayer([...layers.get(level)!].sort(byName), neighbors, x, byName);
    rowsOf.set(level, rows);
  }
  // The top layer hangs from nothing: place it over what it connects to below.
  const top = levels[0];
  if (top !== undefined && levels.length > 1) {
    const list = rowsOf.get(top)!.flat();
    for (const n of list) x.delete(n.id);
    rowsOf.set(top, placeLayer(list, neighbors, x, byName));
  }

  const out = new Map<string, Point>();
  let y = 0;
  for (const level of levels) {
    const rows = rowsOf.get(level)!;
    rows.forEach((row, r) => {
      for (const n of row) out.set(n.id, { x: x.get(n.id)!, y: -y });
      y += r < rows.length - 1 ? (level >= LAYER_OF.instance ? ROW_GAP : WIDE_ROW_GAP) : GAP_Y;
    });
  }
  return fitAspect(out, aspect);
}

/** Extents below this (graph units; a node is about 1) are a line or a point, not a shape. */
const MIN_EXTENT = 1e-6;

/**
 * Stretches a picture to the wanted width / height, never squeezing (the gaps are the minimum):
 * a tall, narrow one sideways, a wide, flat one downwards (so that rows of a large cloud, seen
 * whole, stand apart on screen instead of making a comb).
 */
export function fitAspect(at: Map<string, Point>, aspect: number): Map<string, Point> {
  if (!(aspect > 0) || at.size < 2) return at;
  const xs = [...at.values()].map((p) => p.x);
  const ys = [...at.values()].map((p) => p.y);
  const width = Math.max(...xs) - Math.min(...xs);
  const height = Math.max(...ys) - Math.min(...ys);
  // A flat or point-like picture (extent far below a node's size) has no shape to fit, and
  // stretching it would divide by (near) zero: leave it.
  if (!(width > MIN_EXTENT && height > MIN_EXTENT)) return at;
  if (width < aspect * height) {
    const k = (aspect * height) / width;
    for (const [id, p] of at) at.set(id, { x: p.x * k, y: p.y });
  } else if (width > aspect * height) {
    const k = width / (aspect * height);
    for (const [id, p] of at) at.set(id, { x: p.x, y: p.y * k });
  }
  return at;
}

/** The kinds that belong to no project's column: what lies outside every project. */
export const OUTSIDE: ReadonlySet<NodeKind> = new Set<NodeKind>(['internet', 'external_network', 'external_host']);
/** Graph units between two projects' columns, and between the outside band and the columns. */
export const PROJECT_GAP = 2 * GAP_X;
const BAND_GAP = 2 * GAP_Y;

/** The group a node is laid out in: `outside`, or its project (admin when it names none). */
export const groupOf = (n: Pick<LayoutNode, 'kind' | 'project'>): string => (OUTSIDE.has(n.kind) ? 'outside' : n.project ?? 'admin');

/**
 * A picture grouped by project: each project's nodes laid out by layeredLayout in a column of
 * their own, the columns side by side in the order of `projects` (any project not listed after
 * them, by name), PROJECT_GAP apart, their tops level; the outside band (internet, external
 * networks and hosts) above them, centred. Links between groups do not move nodes. With fewer
 * than two projects present this is layeredLayout.
 */
export function groupedLayout(nodes: readonly LayoutNode[], edges: readonly (readonly [string, string])[], projects: readonly string[], aspect = 0): Map<string, Point> {
  const groups = new Map<string, LayoutNode[]>();
  for (const n of nodes) {
    const g = groupOf(n);
    const list = groups.get(g);
    if (list) list.push(n);
    else groups.set(g, [n]);
  }
  const columns = [...groups.keys()].filter((g) => g !== 'outside');
  if (columns.length < 2) return layeredLayout(nodes, edges, aspect);
  const rank = (g: string) => (projects.includes(g) ? projects.indexOf(g) : projects.length);
  columns.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const groupOfId = new Map(nodes.map((n) => [n.id, groupOf(n)]));
  const inside = (g: string) => edges.filter(([a, b]) => groupOfId.get(a) === g && groupOfId.get(b) === g);
  const bounds = (at: ReadonlyMap<string, Point>) => {
    const xs = [...at.values()].map((p) => p.x);
    const ys = [...at.values()].map((p) => p.y);
    return { minX: Math.min(...xs), maxX: Math.max(...xs), minY: Math.min(...ys), maxY: Math.max(...ys) };
  };
  const out = new Map<string, Point>();
  const outside = groups.get('outside');
  let top = 0;
  let bandWidth = 0;
  let band: Map<string, Point> | undefined;
  if (outside) {
    band = layeredLayout(outside, inside('outside'));
    const b = bounds(band);
    top = b.minY - b.maxY - BAND_GAP;
    bandWidth = b.maxX - b.minX;
  }
  let left = 0;
  for (const g of columns) {
    const at = layeredLayout(groups.get(g)!, inside(g));
    const b = bounds(at);
    for (const [id, p] of at) out.set(id, { x: p.x - b.minX + left, y: p.y - b.maxY + top });
    left += b.maxX - b.minX + PROJECT_GAP;
  }
  const width = left - PROJECT_GAP;
  if (band) {
    const b = bounds(band);
    for (const [id, p] of band) out.set(id, { x: p.x - b.minX + (width - bandWidth) / 2, y: p.y - b.maxY });
  }
  return fitAspect(out, aspect);
}

/**
 * One layer's x positions (written into `x`) and its rows. Nodes are ordered by the mean x of
 * their placed neighbours (their ideal). A layer that fits one row puts each node as near its
 * ideal as the gap allows. A wider one groups the nodes that share an ideal (hang from the same
 * place) into blocks of at most MAX_ROW columns and places the blocks the same way, side by
 * side; row r of the layer is row r of every block.
 */
function placeLayer(list: LayoutNode[], neighbors: ReadonlyMap<string, readonly string[]>, x: Map<string, number>, byName: (a: LayoutNode, b: LayoutNode) => number): LayoutNode[][] {
  const ideal = new Map(list.map((n) => [n.id, meanX(neighbors.get(n.id)!, x)]));
  const key = (n: LayoutNode) => ideal.get(n.id) ?? Infinity;
  list.sort((a, b) => key(a) - key(b) || byName(a, b));
  const blocks: LayoutNode[][] = [];
  if (list.length <= MAX_ROW) blocks.push(...list.map((n) => [n]));
  else for (const n of list) {
    const last = blocks[blocks.length - 1];
    if (last && ideal.get(last[0]!.id) === ideal.get(n.id)) last.push(n);
    else blocks.push([n]);
  }
  // Roughly square blocks when there are few; narrower as they multiply, so that a layer of many
  // blocks grows downwards as much as sideways.
  const columns = blocks.map((b) => Math.min(MAX_ROW, Math.ceil(Math.sqrt(b.length / blocks.length))));
  const width = columns.map((c) => (c - 1) * GAP_X);
  // Left to right, each block centred on its ideal or one gap after the previous block; blocks
  // with no placed neighbour follow at one gap. Then the layer shifts so that, on average,
  // blocks sit on their ideal.
  const centre: number[] = [];
  blocks.forEach((b, i) => {
    const want = ideal.get(b[0]!.id);
    const prev = i === 0 ? undefined : centre[i - 1]! + width[i - 1]! / 2 + GAP_X + width[i]! / 2;
    centre.push(prev === undefined ? (want ?? 0) : Math.max(want ?? -Infinity, prev));
  });
  const anchored = blocks.map((b, i) => [ideal.get(b[0]!.id), centre[i]!] as const).filter(([want]) => want !== undefined);
  const shift = anchored.length ? anchored.reduce((s, [want, at]) => s + want! - at, 0) / anchored.length : -(centre[0]! + centre[centre.length - 1]!) / 2;
  const rows: LayoutNode[][] = [];
  blocks.forEach((b, i) => {
    const left = centre[i]! + shift - width[i]! / 2;
    b.forEach((n, k) => {
      const row = Math.floor(k / columns[i]!);
      // A short last row is centred under the block.
      const inRow = Math.min(columns[i]!, b.length - row * columns[i]!);
      x.set(n.id, left + ((k % columns[i]!) + (columns[i]! - inRow) / 2) * GAP_X);
      (rows[row] ??= []).push(n);
    });
  });
  return rows;
}

/**
 * Hops from the top of each fabric for switches joined to other switches: the tops are those
 * a router plugs into (or, with none, the first by id), and the rest follow breadth-first over
 * switch-to-switch links. Switches of one-switch networks are not in the map.
 */
function fabricDepths(nodes: readonly LayoutNode[], neighbors: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const kind = new Map(nodes.map((n) => [n.id, n.kind]));
  const switchLinks = (id: string) => neighbors.get(id)!.filter((m) => kind.get(m) === 'network' && m !== id);
  const inFabric = nodes.filter((n) => n.kind === 'network' && switchLinks(n.id).length > 0).map((n) => n.id).sort();
  const depth = new Map<string, number>();
  const walk = (roots: readonly string[]) => {
    let frontier = roots.filter((r) => !depth.has(r));
    for (const r of frontier) depth.set(r, 0);
    for (let d = 1; frontier.length > 0; d++) {
      const next: string[] = [];
      for (const id of frontier) for (const m of switchLinks(id)) if (!depth.has(m)) { depth.set(m, d); next.push(m); }
      frontier = next;
    }
  };
  walk(inFabric.filter((id) => neighbors.get(id)!.some((m) => kind.get(m) === 'router')));
  for (const id of inFabric) if (!depth.has(id)) walk([id]);
  return depth;
}

/** Mean x of the neighbours already placed (undefined: none). */
function meanX(neighbors: readonly string[], x: ReadonlyMap<string, number>): number | undefined {
  let sum = 0;
  let count = 0;
  for (const n of neighbors) {
    const p = x.get(n);
    if (p === undefined) continue;
    sum += p;
    count++;
  }
  return count === 0 ? undefined : sum / count;
}

/**
 * The topology drawn with sigma.js (WebGL) over a graphology graph: one node per graph node of
 * /api/topology (instances, networks and fabric switches, routers, load balancers, external
 * networks and hosts, the internet), shaped and coloured by kind, placed by layout.ts, labelled
 * with its name and addresses. Clicking a node selects it (the state panel asks for its state).
 * A large cloud draws each network's instances as one cluster node with a count; a click on it
 * expands it, and any node a probe passes is drawn (`ensure`) and highlighted, and the camera
 * moves to it.
 */
import Graph from 'graphology';
import Sigma from 'sigma';
import { layerFill, sdfCircle, sdfDiamond, sdfSquare, sdfTriangle } from 'sigma/rendering';
import { placeLabels, type Box, type LabelCandidate, type Obstacle, type Place } from './labels.js';
import { layeredLayout } from './layout.js';
import { EDGE_COLOR, KIND_STYLE, LABEL_COLOR, nodeScale, projectColor } from './theme.js';
import { clusterInstances, type Clustering, type Topology } from './topology.js';
import type { NodeKind } from './types.js';

interface DrawnNode {
  x: number;
  y: number;
  size: number;
  color: string;
  shape: string;
  label: string;
  kind: NodeKind;
  name: string;
  /** Where the collision pass (labels.ts) put this label, or undefined: hidden (a hovered node shows it anyway). */
  labelPlace?: Place | undefined;
}

/** Label order when they collide: the cloud's skeleton first. */
const LABEL_PRIORITY: Readonly<Record<NodeKind, number>> = { router: 0, internet: 1, external_network: 1, network: 2, load_balancer: 3, external_host: 3, instance: 4 };
const LABEL_FONT = '12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';

/** Graph units between the instances of an expanded cluster (a layout row's gap is 1.4). */
const MEMBER_GAP = 0.16;
/** A cluster's place right of its network, in graph units. */
const CLUSTER_OFFSET = 0.5;

export class GraphView {
  readonly graph = new Graph<DrawnNode>({ multi: true, type: 'undirected', allowSelfLoops: false });
  readonly sigma: Sigma<DrawnNode>;
  private selected: string | null = null;
  private topology: Topology | undefined;
  private clustering: Clustering = { clusterOf: new Map(), clusters: new Map() };
  /** Per cluster: how many of its members are drawn (where the next one goes). */
  private readonly placed = new Map<string, number>();
  private readonly highlighted = new Set<string>();

  constructor(container: HTMLElement, onClick: (node: string | null) => void) {
    this.sigma = new Sigma<DrawnNode>(this.graph, container, {
      primitives: { nodes: { shapes: [sdfCircle(), sdfSquare(), sdfDiamond(), sdfTriangle()], layers: [layerFill()] } },
      styles: {
        nodes: {
          x: { attribute: 'x' },
          y: { attribute: 'y' },
          shape: { attribute: 'shape' },
          color: { attribute: 'color' },
          size: (a, s) => a.size * (s.isHighlighted ? 1.5 : s.isHovered ? 1.25 : 1),
          label: { attribute: 'label' },
          labelColor: LABEL_COLOR,
          labelSize: 12,
          labelFont: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
          // Labels that collide with a more important one hide (labels.ts) and show on hover.
          labelVisibility: (a, s) => (s.isHovered || a.labelPlace !== undefined ? 'visible' : 'hidden'),
          labelPosition: (a) => a.labelPlace ?? 'below',
          depth: (_a, s) => (s.isHovered || s.isHighlighted ? 'topNodes' : 'nodes'),
          cursor: 'pointer',
        },
        edges: { size: 1.5, color: EDGE_COLOR },
      },
      // Nodes keep their screen size at any zoom: zooming in spreads a crowd instead of growing it
      // (and label boxes, in screen pixels, stay true).
      settings: { itemSizesReference: 'screen', zoomToSizeRatioFunction: () => 1, stagePadding: 60, enableNodeDrag: false, zoomDuration: 150 },
    });
    // Labels are placed again whenever what is on screen moved: camera, size, nodes.
    this.sigma.on('afterRender', () => {
      const c = this.sigma.getCamera().getState();
      const d = this.sigma.getDimensions();
      const key = `${c.x},${c.y},${c.ratio},${d.width}x${d.height},${this.graph.order}`;
      if (key === this.labelsKey) return;
      this.labelsKey = key;
      this.scheduleLabels();
    });
    this.sigma.on('clickNode', ({ node }) => {
      if (node.startsWith('cluster:')) this.expand(node);
      else onClick(node);
    });
    this.sigma.on('clickStage', () => onClick(null));
  }

  /** Replaces the drawing with this topology. Returns the number of nodes drawn. */
  load(t: Topology): number {
    const g = this.graph;
    g.clear();
    this.topology = t;
    this.clustering = clusterInstances(t);
    this.placed.clear();
    this.highlighted.clear();
    const { clusterOf, clusters } = this.clustering;
    const drawn = t.nodes.filter((n) => !clusterOf.has(n.id));
    // Several projects: colour says the project, shape the kind.
    const colorOf = (n: { kind: NodeKind; project?: string }) => (t.projects.length > 1 && n.project !== undefined ? projectColor(t.projects, n.project) : KIND_STYLE[n.kind].color);
    const edges = t.edges.filter(([a, b]) => !clusterOf.has(a) && !clusterOf.has(b));
    const box = this.sigma.getContainer();
    // Labels run sideways: ask for a picture a little wider than the viewport's shape.
    const at = layeredLayout(drawn, edges, box.clientHeight > 0 ? (1.1 * box.clientWidth) / box.clientHeight : 0);
    const scale = nodeScale(drawn.length + clusters.size);
    for (const n of drawn) {
      const style = KIND_STYLE[n.kind];
      const p = at.get(n.id)!;
      g.addNode(n.id, { x: p.x, y: p.y, size: style.size * scale, color: colorOf(n), shape: style.shape, label: n.label ? `${n.name}  ${n.label}` : n.name, kind: n.kind, name: n.name });
    }
    edges.forEach(([a, b], i) => g.addEdgeWithKey(`e${i}`, a, b));
    // A cluster sits beside its network, in the gap to the next one on the row, not in a layer of its own.
    const style = KIND_STYLE.instance;
    for (const c of clusters.values()) {
      const net = at.get(c.network)!;
      g.addNode(c.id, { x: net.x + CLUSTER_OFFSET, y: net.y, size: 1.6 * style.size * scale, color: style.color, shape: 'circle', label: `${c.members.length} instances`, kind: 'instance', name: `${c.members.length} instances` });
      g.addEdgeWithKey(`e-${c.id}`, c.network, c.id);
    }
    this.selected = null;
    this.sigma.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
    this.sigma.refresh();
    this.placeLabels();
    return g.order;
  }

  private labelsPending = false;
  private labelsKey = '';
  /** The label boxes shown, in screen pixels (for the browser test's overlap check). */
  lastBoxes: (Box & { id: string })[] = [];
  private readonly measure = document.createElement('canvas').getContext('2d');
  private readonly widths = new Map<string, number>();

  /** Recomputes which labels show, once per frame at most. */
  scheduleLabels(): void {
    if (this.labelsPending) return;
    this.labelsPending = true;
    requestAnimationFrame(() => {
      this.labelsPending = false;
      this.placeLabels();
    });
  }

  private textWidth(text: string): number {
    let w = this.widths.get(text);
    if (w === undefined) {
      if (this.measure) this.measure.font = LABEL_FONT;
      w = this.measure ? this.measure.measureText(text).width : 7.2 * text.length;
      this.widths.set(text, w);
    }
    return w;
  }

  /** The collision pass over every drawn node's label, each tried below, right, left and above its node. */
  placeLabels(): void {
    const labels: LabelCandidate[] = [];
    const nodes: Obstacle[] = [];
    const { width, height } = this.sigma.getDimensions();
    const inside = (b: Box) => b.x >= 0 && b.y >= 0 && b.x + b.w <= width && b.y + b.h <= height;
    this.graph.forEachNode((id, a) => {
      const p = this.sigma.graphToViewport(a);
      const w = this.textWidth(a.label);
      // Sizes are screen pixels (itemSizesReference: screen): a label sits a radius off its node.
      const r = a.size;
      const h = 14;
      const priority = id === this.selected || this.highlighted.has(id) ? -1 : LABEL_PRIORITY[a.kind];
      // A label cut by the edge of the picture reads as another: only places inside it.
      labels.push({ id, priority, places: ([
        { place: 'below', x: p.x - w / 2, y: p.y + r + 1, w, h },
        { place: 'right', x: p.x + r + 4, y: p.y - h / 2, w, h },
        { place: 'left', x: p.x - r - 4 - w, y: p.y - h / 2, w, h },
        { place: 'above', x: p.x - w / 2, y: p.y - r - 1 - h, w, h },
      ] as const).filter(inside) });
      // Smaller than the node by the margin: labels may come near a node, never onto it.
      nodes.push({ id, x: p.x - r + 6, y: p.y - r + 6, w: Math.max(0, 2 * r - 12), h: Math.max(0, 2 * r - 12) });
    });
    const shown = placeLabels(labels, nodes);
    this.lastBoxes = [...shown].map(([id, b]) => ({ id, x: b.x, y: b.y, w: b.w, h: b.h }));
    this.graph.forEachNode((id, a) => {
      const want = shown.get(id)?.place;
      if (a.labelPlace !== want) this.graph.setNodeAttribute(id, 'labelPlace', want);
    });
  }

  /** Nodes in the topology (drawn or in a cluster). */
  get size(): number {
    return this.topology?.nodes.length ?? 0;
  }

  /** Draws a clustered instance next to its cluster (a probe passed it, or a search found it). */
  ensure(node: string): boolean {
    if (this.graph.hasNode(node)) return true;
    const t = this.topology;
    const cluster = this.clustering.clusterOf.get(node);
    const n = t?.byId.get(node);
    if (!t || !n || cluster === undefined) return false;
    const c = this.clustering.clusters.get(cluster)!;
    const anchor = this.graph.hasNode(cluster) ? this.graph.getNodeAttributes(cluster) : this.graph.getNodeAttributes(c.network);
    const k = this.placed.get(cluster) ?? 0;
    this.placed.set(cluster, k + 1);
    const columns = Math.max(1, Math.ceil(Math.sqrt(c.members.length)));
    const style = KIND_STYLE.instance;
    const size = this.graph.hasNode(cluster) ? this.graph.getNodeAttribute(cluster, 'size') / 1.6 : style.size / 2;
    this.graph.addNode(node, {
      x: anchor.x + ((k % columns) - (columns - 1) / 2) * MEMBER_GAP,
      y: anchor.y - (1 + Math.floor(k / columns)) * MEMBER_GAP,
      size, color: t.projects.length > 1 && n.project !== undefined ? projectColor(t.projects, n.project) : style.color, shape: style.shape, label: n.label ? `${n.name}  ${n.label}` : n.name, kind: 'instance', name: n.name,
    });
    for (const [a, b] of t.edges) if ((a === node || b === node) && this.graph.hasNode(a === node ? b : a)) this.graph.addEdge(a, b);
    this.scheduleLabels();
    return true;
  }

  /** A cluster's every instance, drawn under it; the cluster node goes. */
  expand(cluster: string): void {
    const c = this.clustering.clusters.get(cluster);
    if (!c) return;
    for (const m of c.members) this.ensure(m);
    this.graph.dropNode(cluster);
    this.focus(c.members);
  }

  /** Highlights these nodes (a probe's path) and only these. */
  highlight(nodes: Iterable<string>): void {
    const want = new Set([...nodes].filter((n) => this.graph.hasNode(n)));
    for (const n of this.highlighted) if (!want.has(n) && this.graph.hasNode(n) && n !== this.selected) this.sigma.setNodeState(n, { isHighlighted: false });
    for (const n of want) this.sigma.setNodeState(n, { isHighlighted: true });
    this.highlighted.clear();
    for (const n of want) this.highlighted.add(n);
    this.scheduleLabels();
  }

  /** Moves the camera to show these nodes, not closer than the whole picture when they are few and far apart. */
  focus(nodes: readonly string[]): void {
    const pts = nodes.filter((n) => this.graph.hasNode(n)).map((n) => this.sigma.viewportToFramedGraph(this.sigma.graphToViewport(this.graph.getNodeAttributes(n))));
    if (pts.length === 0) return;
    const xs = pts.map((p) => p.x);
    const ys = pts.map((p) => p.y);
    const cam = this.sigma.getCamera();
    const w = Math.max(...xs) - Math.min(...xs);
    const h = Math.max(...ys) - Math.min(...ys);
    // Framed coordinates span 0-1 for the whole picture at ratio 1.
    const ratio = Math.min(1, Math.max(0.04, 1.4 * Math.max(w, h)));
    void cam.animate({ x: (Math.max(...xs) + Math.min(...xs)) / 2, y: (Math.max(...ys) + Math.min(...ys)) / 2, ratio }, { duration: 400 });
  }

  has(node: string): boolean {
    return this.graph.hasNode(node);
  }

  nameOf(node: string): string {
    return this.graph.hasNode(node) ? this.graph.getNodeAttribute(node, 'name') : node;
  }

  kindOf(node: string): NodeKind | undefined {
    return this.graph.hasNode(node) ? this.graph.getNodeAttribute(node, 'kind') : undefined;
  }

  adjacent(a: string, b: string): boolean {
    return this.graph.hasNode(a) && this.graph.hasNode(b) && this.graph.areNeighbors(a, b);
  }

  /** Where a node is on screen now (CSS pixels in the container), following pan and zoom. */
  screenPosition(node: string): { x: number; y: number } | undefined {
    if (!this.graph.hasNode(node)) return undefined;
    const a = this.graph.getNodeAttributes(node);
    return this.sigma.graphToViewport({ x: a.x, y: a.y });
  }

  /** Highlights one node (or none). */
  select(node: string | null): void {
    if (this.selected !== null && this.graph.hasNode(this.selected)) this.sigma.setNodeState(this.selected, { isHighlighted: false });
    this.selected = node !== null && this.graph.hasNode(node) ? node : null;
    if (this.selected !== null) this.sigma.setNodeState(this.selected, { isHighlighted: true });
    this.scheduleLabels();
  }

  /** Called after every redraw (pan, zoom, resize), so overlays can follow. */
  onRender(callback: () => void): void {
    this.sigma.on('afterRender', callback);
  }
}

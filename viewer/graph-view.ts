/**
 * The topology drawn with sigma.js (WebGL) over a graphology graph: one node per graph node of
 * /api/topology (instances, networks and fabric switches, routers, load balancers, external
 * networks and hosts, the internet), shaped and coloured by kind, placed by layout.ts, labelled
 * with its name and addresses. Clicking a node selects it (the state panel asks for its state).
 * A large cloud draws each network's instances as one cluster node with a count; a click on it
 * expands it, and any node a probe passes is drawn (`ensure`) and highlighted, and the camera
 * moves to it. An expanding cluster first makes room: whatever lies right of it moves right by
 * its grid's width, so an expanded cluster never overlaps another node or cluster. A cloud of
 * several projects is laid out a column per project (layout.ts's groupedLayout), each column
 * drawn as a labelled region on a canvas under sigma's.
 */
import Graph from 'graphology';
import Sigma from 'sigma';
import { layerFill, sdfCircle, sdfDiamond, sdfSquare, sdfTriangle } from 'sigma/rendering';
import { clearOverlay } from './dom.js';
import { placeLabels, type Box, type LabelCandidate, type Obstacle, type Place } from './labels.js';
import { GAP_X, groupedLayout, groupOf, OUTSIDE } from './layout.js';
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
  /** The project whose region holds the node (none: the outside band, or a cloud of one project). */
  group?: string | undefined;
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
/** Screen pixels between a region's edge and the nodes in it; the top also holds the region's name. */
const REGION_PAD = 16;
const REGION_TITLE = 18;

/** A project's region on screen (CSS pixels in the container), its name inside at the top left. */
export interface Region {
  readonly project: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export class GraphView {
  readonly graph = new Graph<DrawnNode>({ multi: true, type: 'undirected', allowSelfLoops: false });
  readonly sigma: Sigma<DrawnNode>;
  private selected: string | null = null;
  private topology: Topology | undefined;
  private clustering: Clustering = { clusterOf: new Map(), clusters: new Map() };
  /** Per cluster: how many of its members are drawn (where the next one goes). */
  private readonly placed = new Map<string, number>();
  private readonly highlighted = new Set<string>();
  /** Clusters that made room for their grid (see makeRoom), and those expanded. */
  private readonly roomy = new Set<string>();
  readonly expanded = new Set<string>();
  private readonly regionCtx: CanvasRenderingContext2D | null;
  /** The regions as last drawn (for the label pass and the browser test). */
  regions: Region[] = [];

  constructor(container: HTMLElement, onClick: (node: string | null) => void, private readonly regionCanvas?: HTMLCanvasElement) {
    this.regionCtx = regionCanvas?.getContext('2d') ?? null;
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
      this.drawRegions();
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
    this.roomy.clear();
    this.expanded.clear();
    this.highlighted.clear();
    const { clusterOf, clusters } = this.clustering;
    const byProject = t.projects.length > 1;
    const drawn = t.nodes.filter((n) => !clusterOf.has(n.id));
    // A cluster of another project's instances on a network is laid out in its own project's
    // column (as an instance would be); the network's own sits beside it.
    const foreign = [...clusters.values()].filter((c) => c.id.includes('@'));
    const edges = t.edges.filter(([a, b]) => !clusterOf.has(a) && !clusterOf.has(b));
    const box = this.sigma.getContainer();
    // Labels run sideways: ask for a picture a little wider than the viewport's shape.
    const aspect = box.clientHeight > 0 ? (1.1 * box.clientWidth) / box.clientHeight : 0;
    // Columns in the file's order of projects; admin's (shared networks) last.
    const order = [...t.projects.filter((p) => p !== 'admin'), 'admin'];
    const at = groupedLayout([...drawn, ...foreign.map((c) => ({ id: c.id, kind: 'instance' as const, name: c.id, project: c.project }))], [...edges, ...foreign.map((c) => [c.network, c.id] as const)], byProject ? order : [], aspect);
    const scale = nodeScale(drawn.length + clusters.size);
    // Several projects: colour says the project, shape the kind.
    const colorOf = (n: { kind: NodeKind; project?: string | undefined }) => (byProject && n.project !== undefined ? projectColor(t.projects, n.project) : KIND_STYLE[n.kind].color);
    const groupFor = (n: { kind: NodeKind; project?: string | undefined }) => (byProject && !OUTSIDE.has(n.kind) ? groupOf(n) : undefined);
    for (const n of drawn) {
      const style = KIND_STYLE[n.kind];
      const p = at.get(n.id)!;
      g.addNode(n.id, { x: p.x, y: p.y, size: style.size * scale, color: colorOf(n), shape: style.shape, label: n.label ? `${n.name}  ${n.label}` : n.name, kind: n.kind, name: n.name, group: groupFor(n) });
    }
    edges.forEach(([a, b], i) => g.addEdgeWithKey(`e${i}`, a, b));
    // A cluster sits beside its network, in the gap to the next one on the row, not in a layer of its own.
    const style = KIND_STYLE.instance;
    for (const c of clusters.values()) {
      const net = at.get(c.network)!;
      const p = at.get(c.id) ?? { x: net.x + CLUSTER_OFFSET, y: net.y };
      const label = `${c.members.length} instances`;
      g.addNode(c.id, { x: p.x, y: p.y, size: 1.6 * style.size * scale, color: colorOf({ kind: 'instance', project: c.project }), shape: 'circle', label, kind: 'instance', name: label, group: groupFor({ kind: 'instance', project: c.project }) });
      g.addEdgeWithKey(`e-${c.id}`, c.network, c.id);
    }
    this.selected = null;
    this.sigma.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
    this.sigma.refresh();
    this.fitSizes();
    this.placeLabels();
    return g.order;
  }

  /**
   * Shrinks every node (never below a quarter of its kind's size) so that, in the picture seen
   * whole, no two nodes touch: for each node and its nearest neighbours on screen, their radii
   * take at most 80% of the distance between them. Zooming in only spreads them further.
   */
  private fitSizes(): void {
    const pts = this.graph.mapNodes((_id, a) => ({ ...this.sigma.graphToViewport(a), size: a.size }));
    if (pts.length < 2) return;
    // Sorted by x, a pair further apart in x than the best bound so far cannot lower it.
    pts.sort((a, b) => a.x - b.x);
    let k = 1;
    for (let i = 0; i < pts.length; i++) {
      const a = pts[i]!;
      for (let j = i + 1; j < pts.length; j++) {
        const b = pts[j]!;
        const dx = b.x - a.x;
        if (dx * 0.8 >= k * (a.size + b.size)) break;
        const d = Math.hypot(dx, b.y - a.y);
        k = Math.min(k, (0.8 * d) / (a.size + b.size));
      }
    }
    k = Math.max(0.25, k);
    if (k >= 1) return;
    this.graph.updateEachNodeAttributes((_id, a) => ({ ...a, size: a.size * k }));
  }

  /**
   * Each project's region: the box around its drawn nodes in screen pixels, padded (with room
   * for its name at the top), drawn faintly in the project's colour under the graph.
   */
  private drawRegions(): void {
    const t = this.topology;
    const regions = this.computeRegions();
    this.regions = regions;
    const canvas = this.regionCanvas;
    const ctx = this.regionCtx;
    if (!canvas || !ctx) return;
    clearOverlay(canvas, ctx);
    for (const r of regions) {
      const color = projectColor(t!.projects, r.project);
      ctx.globalAlpha = 0.07;
      ctx.fillStyle = color;
      ctx.fillRect(r.x, r.y, r.w, r.h);
      ctx.globalAlpha = 0.55;
      ctx.strokeStyle = color;
      ctx.lineWidth = 1;
      ctx.setLineDash([5, 4]);
      ctx.strokeRect(r.x + 0.5, r.y + 0.5, r.w - 1, r.h - 1);
      ctx.setLineDash([]);
      ctx.globalAlpha = 1;
      ctx.font = LABEL_FONT;
      ctx.fillStyle = color;
      ctx.textBaseline = 'top';
      ctx.fillText(`project ${r.project}`, r.x + 6, r.y + 4);
    }
  }

  /** The regions for the camera as it is now (screen pixels). */
  computeRegions(): Region[] {
    const t = this.topology;
    const regions: Region[] = [];
    if (t && t.projects.length > 1) {
      const box = new Map<string, { x0: number; y0: number; x1: number; y1: number }>();
      this.graph.forEachNode((_id, a) => {
        if (a.group === undefined) return;
        const p = this.sigma.graphToViewport(a);
        const b = box.get(a.group);
        if (b) {
          b.x0 = Math.min(b.x0, p.x - a.size);
          b.y0 = Math.min(b.y0, p.y - a.size);
          b.x1 = Math.max(b.x1, p.x + a.size);
          b.y1 = Math.max(b.y1, p.y + a.size);
        } else box.set(a.group, { x0: p.x - a.size, y0: p.y - a.size, x1: p.x + a.size, y1: p.y + a.size });
      });
      // Left to right as the columns go: the file's projects, admin last.
      const order = [...t.projects.filter((p) => p !== 'admin'), 'admin'];
      for (const project of [...order, ...[...box.keys()].filter((p) => !order.includes(p)).sort()]) {
        const b = box.get(project);
        if (!b) continue;
        // At least as wide as its name, widened about its centre.
        const w = Math.max(b.x1 - b.x0 + 2 * REGION_PAD, this.textWidth(`project ${project}`) + 12);
        regions.push({ project, x: (b.x0 + b.x1 - w) / 2, y: b.y0 - REGION_PAD - REGION_TITLE, w, h: b.y1 - b.y0 + 2 * REGION_PAD + REGION_TITLE });
      }
      return this.withLabels(regions);
    }
    return regions;
  }

  /**
   * The regions grown to hold their nodes' shown labels (as the last label pass placed them),
   * sideways no further than halfway into the gap to the next column, so regions never meet.
   */
  private withLabels(regions: readonly Region[]): Region[] {
    const groupOfNode = new Map<string, string>();
    this.graph.forEachNode((id, a) => { if (a.group !== undefined) groupOfNode.set(id, a.group); });
    const grown = regions.map((r) => ({ ...r, x1: r.x + r.w, y1: r.y + r.h }));
    const at = new Map(grown.map((r) => [r.project, r]));
    for (const l of this.lastBoxes) {
      const r = at.get(groupOfNode.get(l.id) ?? '');
      if (!r) continue;
      r.x = Math.min(r.x, l.x - 4);
      r.x1 = Math.max(r.x1, l.x + l.w + 4);
      r.y1 = Math.max(r.y1, l.y + l.h + 4);
    }
    // Columns go left to right; the boundary between two is halfway across their nodes' gap.
    const sorted = grown.map((r, i) => ({ r, nodes: regions[i]! })).sort((a, b) => a.nodes.x - b.nodes.x);
    for (let i = 1; i < sorted.length; i++) {
      const [left, right] = [sorted[i - 1]!, sorted[i]!];
      const mid = (left.nodes.x + left.nodes.w + right.nodes.x) / 2;
      left.r.x1 = Math.min(left.r.x1, mid - 4);
      right.r.x = Math.max(right.r.x, mid + 4);
    }
    return grown.map((r) => ({ project: r.project, x: r.x, y: r.y, w: r.x1 - r.x, h: r.y1 - r.y }));
  }

  /** Where a region's name is written, in screen pixels (an obstacle for node labels). */
  private regionTitleBox(r: Region): Box {
    return { x: r.x + 6, y: r.y + 4, w: this.textWidth(`project ${r.project}`), h: 14 };
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
    for (const r of this.regions) nodes.push({ id: `region:${r.project}`, ...this.regionTitleBox(r) });
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
    this.makeRoom(cluster);
    const anchor = this.graph.hasNode(cluster) ? this.graph.getNodeAttributes(cluster) : this.graph.getNodeAttributes(c.network);
    const k = this.placed.get(cluster) ?? 0;
    this.placed.set(cluster, k + 1);
    const columns = Math.max(1, Math.ceil(Math.sqrt(c.members.length)));
    const style = KIND_STYLE.instance;
    const size = this.graph.hasNode(cluster) ? this.graph.getNodeAttribute(cluster, 'size') / 1.6 : style.size / 2;
    const byProject = t.projects.length > 1;
    this.graph.addNode(node, {
      // The grid hangs from the cluster rightwards, where makeRoom cleared the way.
      x: anchor.x + (k % columns) * MEMBER_GAP,
      y: anchor.y - (1 + Math.floor(k / columns)) * MEMBER_GAP,
      size, color: byProject && n.project !== undefined ? projectColor(t.projects, n.project) : style.color, shape: style.shape, label: n.label ? `${n.name}  ${n.label}` : n.name, kind: 'instance', name: n.name,
      group: byProject ? groupOf({ kind: 'instance', project: n.project }) : undefined,
    });
    for (const [a, b] of t.edges) if ((a === node || b === node) && this.graph.hasNode(a === node ? b : a)) this.graph.addEdge(a, b);
    this.scheduleLabels();
    return true;
  }

  /**
   * Clears the place of a cluster's whole grid (once, when its first member is drawn): every node
   * right of the cluster, whatever its row, moves right by the grid's width and a row's gap, so
   * that the columns x ∈ [cluster, grid's right edge + gap) hold the grid alone (a network
   * moves with its moving cluster, a pair a half-gap wide). Nodes left of it (and its network) stay; an earlier grid is either wholly left of this cluster (its own
   * room pushed this cluster past it) or moves as a whole.
   */
  private makeRoom(cluster: string): void {
    if (this.roomy.has(cluster) || !this.graph.hasNode(cluster)) return;
    this.roomy.add(cluster);
    const c = this.clustering.clusters.get(cluster)!;
    const columns = Math.max(1, Math.ceil(Math.sqrt(c.members.length)));
    const from = this.graph.getNodeAttribute(cluster, 'x');
    const right = from + (columns - 1) * MEMBER_GAP + GAP_X;
    let nearest = Infinity;
    const movers: string[] = [];
    this.graph.forEachNode((id, a) => {
      // Its own network stays at its left; anything within a member's gap of its column moves too.
      if (id === cluster || id === c.network || a.x <= from - MEMBER_GAP) return;
      movers.push(id);
      nearest = Math.min(nearest, a.x);
    });
    const shift = right - nearest;
    if (!(shift > 0)) return;
    // A moving cluster takes its network along (they read as a pair), unless that is this cluster's.
    const moving = new Set(movers);
    for (const id of movers) {
      const net = this.clustering.clusters.get(id)?.network;
      if (net !== undefined && !id.includes('@') && net !== c.network && this.graph.hasNode(net)) moving.add(net);
    }
    for (const id of moving) this.graph.setNodeAttribute(id, 'x', this.graph.getNodeAttribute(id, 'x') + shift);
  }

  /** A cluster's every instance, drawn under it; the cluster node goes. */
  expand(cluster: string): void {
    const c = this.clustering.clusters.get(cluster);
    if (!c) return;
    this.expanded.add(cluster);
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
    // A cluster that made room may have widened the picture, which changes sigma's framing: frame first.
    this.sigma.refresh();
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

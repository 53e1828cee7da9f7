/**
 * The topology drawn with sigma.js (WebGL) over a graphology graph: one node per graph node of
 * /api/topology (instances, networks and fabric switches, routers, load balancers, external
 * networks and hosts, the internet), shaped and coloured by kind, placed by layout.ts, labelled
 * with its name and addresses. Clicking a node selects it (the state panel asks for its state).
 */
import Graph from 'graphology';
import Sigma from 'sigma';
import { layerFill, sdfCircle, sdfDiamond, sdfSquare, sdfTriangle } from 'sigma/rendering';
import { layeredLayout } from './layout.js';
import { ALL_LABELS_UP_TO, EDGE_COLOR, KIND_STYLE, LABEL_COLOR, nodeScale } from './theme.js';
import type { NodeKind, TopologyPayload } from './types.js';

interface DrawnNode {
  x: number;
  y: number;
  size: number;
  color: string;
  shape: string;
  label: string;
  kind: NodeKind;
  name: string;
}

export class GraphView {
  readonly graph = new Graph<DrawnNode>({ multi: true, type: 'undirected', allowSelfLoops: false });
  readonly sigma: Sigma<DrawnNode>;
  private selected: string | null = null;

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
          // Every label on a small cloud; on a large one sigma's label grid keeps those that fit.
          labelVisibility: () => (this.graph.order > ALL_LABELS_UP_TO ? 'auto' : 'visible'),
          labelPosition: 'below',
          depth: (_a, s) => (s.isHovered || s.isHighlighted ? 'topNodes' : 'nodes'),
          cursor: 'pointer',
        },
        edges: { size: 1.5, color: EDGE_COLOR },
      },
      settings: { itemSizesReference: 'screen', stagePadding: 60, enableNodeDrag: false, zoomDuration: 150 },
    });
    this.sigma.on('clickNode', ({ node }) => onClick(node));
    this.sigma.on('clickStage', () => onClick(null));
  }

  /** Replaces the drawing with this topology. Returns the number of nodes drawn. */
  load(topology: TopologyPayload): number {
    const g = this.graph;
    g.clear();
    const nodes = topology.graph.nodes.map((n) => ({ id: n.key, kind: n.attributes!.kind, name: n.attributes!.name, label: n.attributes!.label }));
    const edges = topology.graph.edges.map((e) => [e.source, e.target] as const);
    const box = this.sigma.getContainer();
    // Labels run sideways: ask for a picture a little wider than the viewport's shape.
    const at = layeredLayout(nodes, edges, box.clientHeight > 0 ? (1.1 * box.clientWidth) / box.clientHeight : 0);
    const scale = nodeScale(nodes.length);
    for (const n of nodes) {
      const style = KIND_STYLE[n.kind];
      const p = at.get(n.id)!;
      g.addNode(n.id, { x: p.x, y: p.y, size: style.size * scale, color: style.color, shape: style.shape, label: n.label ? `${n.name}  ${n.label}` : n.name, kind: n.kind, name: n.name });
    }
    for (const e of topology.graph.edges) if (!g.hasEdge(e.key ?? `${e.source}-${e.target}`)) g.addEdgeWithKey(e.key ?? `${e.source}-${e.target}`, e.source, e.target);
    this.selected = null;
    this.sigma.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 });
    this.sigma.refresh();
    return g.order;
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
  }

  /** Called after every redraw (pan, zoom, resize), so overlays can follow. */
  onRender(callback: () => void): void {
    this.sigma.on('afterRender', callback);
  }
}

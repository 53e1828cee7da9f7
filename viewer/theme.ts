/**
 * The viewer's palette, shared by the graph, the packet animation and the legend (the
 * stylesheet repeats the same values for the DOM). Dark, like a terminal or a packet tracer;
 * colours chosen so that kinds stay apart for the common forms of colour blindness.
 */
import type { Direction, NodeKind } from './types.js';

export interface KindStyle {
  readonly label: string;
  readonly color: string;
  /** A sigma shape registered in graph-view.ts. */
  readonly shape: 'circle' | 'square' | 'diamond' | 'triangle';
  /** Screen pixels. */
  readonly size: number;
}

/** Clouds up to this many drawn nodes draw them at full size (labels are placed by labels.ts at any size). */
export const ALL_LABELS_UP_TO = 400;

/**
 * How much a cloud's nodes shrink from their kind's size: not at all up to ALL_LABELS_UP_TO
 * nodes, then with the square root of the count (sizes are screen pixels, so a large cloud in
 * full view would otherwise be one blot), never below a quarter.
 */
export const nodeScale = (nodes: number): number => Math.max(0.25, Math.min(1, Math.sqrt(ALL_LABELS_UP_TO / nodes)));

export const KIND_STYLE: Readonly<Record<NodeKind, KindStyle>> = {
  internet: { label: 'internet', color: '#8fa3b8', shape: 'circle', size: 16 },
  external_host: { label: 'external host', color: '#b39ddb', shape: 'circle', size: 9 },
  external_network: { label: 'external network', color: '#ffa657', shape: 'square', size: 11 },
  router: { label: 'router', color: '#f778ba', shape: 'diamond', size: 14 },
  network: { label: 'network (switch)', color: '#e3b341', shape: 'square', size: 11 },
  load_balancer: { label: 'load balancer', color: '#7ee787', shape: 'triangle', size: 13 },
  instance: { label: 'instance', color: '#58c4dc', shape: 'circle', size: 10 },
};

/** The order kinds are listed in the legend. */
export const KIND_ORDER: readonly NodeKind[] = ['internet', 'external_host', 'external_network', 'router', 'network', 'load_balancer', 'instance'];

export const DIRECTION_COLOR: Readonly<Record<Direction, string>> = {
  forward: '#4cc2ff',
  reply: '#56d364',
  control: '#d2a8ff',
};

export const DROP_COLOR = '#ff5c5c';
export const EDGE_COLOR = '#33404f';
export const LABEL_COLOR = '#c9d4e0';

/**
 * Node colours when a cloud has several projects: each project its own colour (the shape still
 * says the kind), in the order the file lists them; admin, which owns the shared and external
 * parts, keeps a neutral grey.
 */
export const PROJECT_COLORS: readonly string[] = ['#4cc2ff', '#f778ba', '#e3b341', '#7ee787', '#ffa657', '#d2a8ff', '#ff7b72', '#56d4dd'];
export const ADMIN_COLOR = '#8fa3b8';
export const projectColor = (projects: readonly string[], project: string): string =>
  project === 'admin' ? ADMIN_COLOR : PROJECT_COLORS[projects.filter((p) => p !== 'admin').indexOf(project) % PROJECT_COLORS.length] ?? ADMIN_COLOR;

/**
 * Where node labels go: a greedy pass, most important first (routers and networks before
 * instances; the path and the selection before all), that gives each label the first of its
 * places (below its node, then right, then left, then above) that overlaps no label already
 * placed and no node; a label with no free place is hidden and shows on hover. Pure.
 */

export interface Box {
  /** Top-left corner and size, in screen pixels. */
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export type Place = 'below' | 'right' | 'left' | 'above';

export interface LabelCandidate {
  readonly id: string;
  /** Lower goes first. */
  readonly priority: number;
  /** The places to try, in order of preference. */
  readonly places: readonly (Box & { readonly place: Place })[];
}

export interface Obstacle extends Box {
  /** The node this obstacle is; its own label may touch it. */
  readonly id: string;
}

/** Boxes closer than this (px) count as overlapping, so two labels never read as one. */
export const LABEL_MARGIN = 8;

export const boxesOverlap = (a: Box, b: Box, margin = LABEL_MARGIN): boolean =>
  a.x < b.x + b.w + margin && b.x < a.x + a.w + margin && a.y < b.y + b.h + margin && b.y < a.y + a.h + margin;

/**
 * Each shown label's place; a label not in the map is hidden. Ties in priority go by id, so the
 * same picture always places the same labels. A grid of cells keeps the pass near linear.
 */
export function placeLabels(labels: readonly LabelCandidate[], obstacles: readonly Obstacle[] = [], cell = 64): Map<string, Box & { place: Place }> {
  const order = [...labels].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const grid = new Map<string, (Box & { id: string })[]>();
  const cells = (b: Box): string[] => {
    const out: string[] = [];
    for (let gx = Math.floor((b.x - LABEL_MARGIN) / cell); gx <= Math.floor((b.x + b.w + LABEL_MARGIN) / cell); gx++) {
      for (let gy = Math.floor((b.y - LABEL_MARGIN) / cell); gy <= Math.floor((b.y + b.h + LABEL_MARGIN) / cell); gy++) out.push(`${gx},${gy}`);
    }
    return out;
  };
  const put = (b: Box & { id: string }) => {
    for (const c of cells(b)) {
      const list = grid.get(c);
      if (list) list.push(b);
      else grid.set(c, [b]);
    }
  };
  for (const o of obstacles) put(o);
  const shown = new Map<string, Box & { place: Place }>();
  for (const l of order) {
    const free = l.places.find((b) => !cells(b).some((c) => grid.get(c)?.some((o) => o.id !== l.id && boxesOverlap(o, b))));
    if (!free) continue;
    shown.set(l.id, free);
    put({ ...free, id: `label:${l.id}` });
  }
  return shown;
}

/**
 * Label placement (viewer/labels.ts): whatever the boxes, no two shown labels overlap (with the
 * margin), none covers another node, the most important label always shows, and the result
 * does not depend on the order the labels come in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxesOverlap, placeLabels, type LabelCandidate, type Obstacle, type Place } from '../../../viewer/labels.js';

const PLACES: readonly Place[] = ['below', 'right', 'left', 'above'];

const scene = fc.uniqueArray(fc.record({ x: fc.integer({ min: 0, max: 600 }), y: fc.integer({ min: 0, max: 400 }), w: fc.integer({ min: 10, max: 200 }), priority: fc.integer({ min: 0, max: 4 }), r: fc.integer({ min: 3, max: 16 }) }), { minLength: 1, maxLength: 80, selector: (n) => `${n.x},${n.y}` })
  .map((nodes) => {
    const labels: LabelCandidate[] = nodes.map((n, i) => ({
      id: `n${i}`,
      priority: n.priority,
      places: PLACES.map((place) => ({
        place,
        w: n.w,
        h: 14,
        x: place === 'below' || place === 'above' ? n.x - n.w / 2 : place === 'right' ? n.x + n.r + 4 : n.x - n.r - 4 - n.w,
        y: place === 'below' ? n.y + n.r + 1 : place === 'above' ? n.y - n.r - 15 : n.y - 7,
      })),
    }));
    const obstacles: Obstacle[] = nodes.map((n, i) => ({ id: `n${i}`, x: n.x - n.r / 2, y: n.y - n.r / 2, w: n.r, h: n.r }));
    return { labels, obstacles };
  });

describe('placeLabels', () => {
  it('never shows two labels that overlap, nor a label over another node', () => {
    fc.assert(fc.property(scene, ({ labels, obstacles }) => {
      const shown = [...placeLabels(labels, obstacles)];
      for (let i = 0; i < shown.length; i++) {
        for (let j = i + 1; j < shown.length; j++) expect(boxesOverlap(shown[i]![1], shown[j]![1]), `${shown[i]![0]} and ${shown[j]![0]}`).toBe(false);
        for (const o of obstacles) if (o.id !== shown[i]![0]) expect(boxesOverlap(shown[i]![1], o)).toBe(false);
      }
    }), { numRuns: 300 });
  });

  it('shows the first label in priority order wherever it has a place free of nodes, in its first free place', () => {
    fc.assert(fc.property(scene, ({ labels }) => {
      const shown = placeLabels(labels);
      const first = [...labels].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1))[0]!;
      expect(shown.get(first.id)?.place).toBe('below');
    }), { numRuns: 200 });
  });

  it('gives the same places whatever order the labels come in', () => {
    fc.assert(fc.property(scene, fc.infiniteStream(fc.boolean()), ({ labels, obstacles }, flips) => {
      const shuffled = [...labels].sort(() => (flips.next().value ? 1 : -1));
      expect(placeLabels(shuffled, obstacles)).toEqual(placeLabels(labels, obstacles));
    }), { numRuns: 200 });
  });

  it('moves a label to its node\'s side when the place below is taken, and hides it when every place is', () => {
    const at = (id: string, x: number, y: number, priority: number): LabelCandidate => ({
      id, priority, places: [{ place: 'below', x: x - 50, y: y + 11, w: 100, h: 14 }, { place: 'right', x: x + 14, y: y - 7, w: 100, h: 14 }],
    });
    const two = placeLabels([at('a', 100, 100, 0), at('b', 40, 80, 1)]);
    expect(two.get('a')?.place).toBe('below');
    expect(two.get('b')?.place).toBe('right');
    const three = placeLabels([at('a', 100, 100, 0), at('b', 40, 80, 1), at('c', 40, 60, 2)]);
    expect(three.has('c')).toBe(false);
  });
});

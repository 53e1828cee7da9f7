// vnet reach --failing and --matrix (src/cli/reach-view.ts): the failing rows are exactly those
// not delivered or with no reply; each matrix cell sums up its pair's rows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTopology, reachMatrix } from '../../../src/index.js';
import { isFailing, MATRIX_MARKS, renderMatrix } from '../../../src/cli/reach-view.js';

const loaded = loadTopology('topologies/three-tier.yaml');
if (!loaded.ok) throw new Error('three-tier does not load');
const rows = reachMatrix(loaded.cloud).rows;

describe('reach views', () => {
  it('three-tier as a grid: the internet reaches only the floating IPs and hosts', () => {
    const lines = renderMatrix(rows);
    expect(lines[0]).toBe('from \\ to   1  2  3  4  5  6  7  8');
    expect(lines.find((l) => l.startsWith('client '))).toBe('client    ·  ·  ·  ●  ●     ●  ·');
    expect(lines).toContain('  4  web-1-fip');
  });

  it('every cell is ● when all its rows work, · when none does, ◐ otherwise (any subset of rows)', () => {
    fc.assert(fc.property(fc.subarray([...rows], { minLength: 1 }), (some) => {
      const lines = renderMatrix(some);
      const destinations = [...new Set(some.map((r) => r.to))];
      const sources = [...new Set(some.map((r) => r.from))];
      sources.forEach((s, i) => {
        const line = lines[i + 1]!;
        destinations.forEach((d, j) => {
          const mine = some.filter((r) => r.from === s && r.to === d);
          const ok = mine.filter((r) => !isFailing(r)).length;
          const want = mine.length === 0 ? ' ' : ok === mine.length ? MATRIX_MARKS.all : ok === 0 ? MATRIX_MARKS.none : MATRIX_MARKS.some;
          expect(line.slice(line.length - 3 * destinations.length).charAt(3 * j + 2)).toBe(want);
        });
      });
    }), { numRuns: 100 });
  });

  it('failing rows are the undelivered and the unanswered', () => {
    expect(rows.filter(isFailing).every((r) => r.verdict !== 'delivered' || !r.reply)).toBe(true);
    expect(rows.filter((r) => !isFailing(r)).every((r) => r.verdict === 'delivered' && r.reply)).toBe(true);
    expect(rows.filter(isFailing).length).toBeGreaterThan(0);
  });
});

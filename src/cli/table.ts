/**
 * Aligned text tables for the terminal: a header, columns padded to their widest cell, cells
 * with several lines (a port with two addresses) continue on the next row.
 */
import { visibleLength, type Style } from './style.js';

export type Cell = string | readonly string[];

export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[], style: Style): string {
  const lines = (c: Cell | undefined): readonly string[] => (c === undefined ? [''] : typeof c === 'string' ? [c] : c.length ? c : ['']);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.flatMap((r) => lines(r[i]).map(visibleLength))));
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - visibleLength(s)));
  const out = [style.bold(headers.map((h, i) => pad(h, widths[i]!)).join('  ').trimEnd())];
  for (const row of rows) {
    const height = Math.max(...headers.map((_, i) => lines(row[i]).length));
    for (let k = 0; k < height; k++) {
      out.push(headers.map((_, i) => pad(lines(row[i])[k] ?? '', widths[i]!)).join('  ').trimEnd());
    }
  }
  return out.join('\n');
}

/**
 * Views of the reachability matrix for `vnet reach`: `--failing` keeps the rows whose flow does
 * not work (not delivered, or delivered with no reply), and `--matrix` shows sources × destinations
 * as one grid, a cell per pair summing up its services. Pure: the caller prints.
 */
import type { ReachRow } from '../reach/matrix.js';

/** A row whose flow does not work end to end. */
export const isFailing = (row: ReachRow): boolean => row.verdict !== 'delivered' || !row.reply;

/** Cell marks: every service works, none does, some do. */
export const MATRIX_MARKS = { all: '●', none: '·', some: '◐' } as const;

/**
 * Sources down, destinations across (numbered, with a key below so wide matrices stay readable):
 * ● every service of the pair delivered with a reply, · none, ◐ some; blank where the pair was not
 * probed (a destination with no services, or an endpoint and itself).
 */
export function renderMatrix(rows: readonly ReachRow[]): string[] {
  const sources = [...new Set(rows.map((r) => r.from))];
  const destinations = [...new Set(rows.map((r) => r.to))];
  const cells = new Map<string, { ok: number; total: number }>();
  for (const r of rows) {
    const k = `${r.from}\0${r.to}`;
    const c = cells.get(k) ?? { ok: 0, total: 0 };
    c.total++;
    if (!isFailing(r)) c.ok++;
    cells.set(k, c);
  }
  const width = Math.max(6, ...sources.map((s) => s.length));
  const col = (i: number) => String(i + 1).padStart(3);
  const lines = [`${'from \\ to'.padEnd(width)} ${destinations.map((_, i) => col(i)).join('')}`];
  for (const s of sources) {
    const marks = destinations.map((d) => {
      const c = cells.get(`${s}\0${d}`);
      const mark = !c ? ' ' : c.ok === c.total ? MATRIX_MARKS.all : c.ok === 0 ? MATRIX_MARKS.none : MATRIX_MARKS.some;
      return mark.padStart(3);
    });
    lines.push(`${s.padEnd(width)} ${marks.join('')}`);
  }
  lines.push('', ...destinations.map((d, i) => `${col(i)}  ${d}`));
  lines.push('', `${MATRIX_MARKS.all} every service works   ${MATRIX_MARKS.some} some do   ${MATRIX_MARKS.none} none does (a class representative stands for its alike endpoints)`);
  return lines;
}

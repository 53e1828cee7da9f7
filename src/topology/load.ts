/**
 * The loader's one entry point: topology text → a resolved Cloud, or every problem with its
 * file, line and column. Pure (the caller reads the file); never throws on bad input.
 */
import type { Issue } from './issue.js';
import type { Cloud } from './model.js';
import { checkShape } from './check-shape.js';
import { resolveTopology } from './resolve.js';
import { readSource, type Source } from './source.js';

export type LoadResult =
  | { ok: true; cloud: Cloud; warnings: readonly Issue[] }
  | { ok: false; issues: readonly Issue[] };

export function parseTopology(text: string, file?: string): LoadResult {
  const read = readSource(text, file);
  if (!read.ok) return { ok: false, issues: read.issues };
  const { source } = read;
  const shape = checkShape(source.value);
  if (!shape.ok) return { ok: false, issues: place(shape.issues, source, file) };
  const resolved = resolveTopology(shape.doc);
  if (!resolved.ok) return { ok: false, issues: place(resolved.issues, source, file) };
  return { ok: true, cloud: resolved.cloud, warnings: place(resolved.cloud.warnings, source, file) };
}

/** Adds file, line and column to issues found on the parsed value; unknown keys point at the key. */
function place(issues: readonly Issue[], source: Source, file: string | undefined): Issue[] {
  const placed = issues.map((i) => {
    const pos = source.locate(i.path, i.code === 'unknown-key');
    return { ...i, ...(file !== undefined ? { file } : {}), ...(pos ?? {}) };
  });
  // In file order, as a reader goes through the file (the sort is stable for equal positions).
  return placed.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

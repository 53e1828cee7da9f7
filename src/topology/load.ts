/**
 * The loader's one entry point: topology text → a resolved Cloud, or every problem with its
 * file, line and column. Pure (the caller reads the file); never throws on bad input.
 */
import type { Issue } from './issue.js';
import type { Cloud } from './model.js';
import { checkShape } from './check-shape.js';
import { resolveTopology } from './resolve.js';
import { readSource, type Source } from './source.js';

/**
 * A failed load returns at most this many issues, errors before warnings, each kind in file
 * order, and counts the rest in `omitted`: a file with thousands of the same mistake gives a
 * readable list (and 1,000 equal subnets no longer print 78 MB).
 */
export const MAX_ISSUES = 100;

export interface Omitted {
  readonly errors: number;
  readonly warnings: number;
}

export type LoadResult =
  | { ok: true; cloud: Cloud; warnings: readonly Issue[] }
  | { ok: false; issues: readonly Issue[]; omitted?: Omitted };

/**
 * Loads a topology from its text (YAML or JSON), or from a document already in memory (a plain
 * object as the file would hold it: the same checks, issues with paths but no line and column).
 */
export function parseTopology(input: string | object, file?: string): LoadResult {
  if (typeof input !== 'string') return parseDocument(input, file);
  const text = input;
  const read = readSource(text, file);
  if (!read.ok) return failed(read.issues);
  const { source } = read;
  const shape = checkShape(source.value);
  if (!shape.ok) return failed(place(shape.issues, source, file, shape.atKey));
  const resolved = resolveTopology(shape.doc);
  if (!resolved.ok) return failed(place(resolved.issues, source, file));
  return { ok: true, cloud: resolved.cloud, warnings: place(resolved.cloud.warnings, source, file) };
}

/**
 * A document in memory goes through its JSON text, so that it meets every bound a file meets
 * (nesting depth, sizes); the positions would point into that text, so they are dropped.
 */
function parseDocument(doc: object, file: string | undefined): LoadResult {
  let text: string | undefined;
  try {
    text = JSON.stringify(doc);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return failed([{ severity: 'error', code: 'type', path: [], message: `expected a topology document of plain data (maps, lists, text, numbers, booleans), got one JSON cannot hold: ${why}`, ...(file !== undefined ? { file } : {}) }]);
  }
  if (text === undefined || Array.isArray(doc)) return failed([{ severity: 'error', code: 'type', path: [], message: 'expected a topology document (a map such as { networks: {...}, instances: {...} })', ...(file !== undefined ? { file } : {}) }]);
  const loaded = parseTopology(text, file);
  const unplace = (issues: readonly Issue[]): Issue[] => issues.map(({ line: _line, col: _col, ...rest }) => rest);
  return loaded.ok ? { ...loaded, warnings: unplace(loaded.warnings) } : { ...loaded, issues: unplace(loaded.issues) };
}

/** Adds file, line and column to issues found on the parsed value; unknown keys and bad names of keys point at the key. */
function place(issues: readonly Issue[], source: Source, file: string | undefined, atKey?: ReadonlySet<Issue>): Issue[] {
  const placed = issues.map((i) => {
    const pos = source.locate(i.path, i.code === 'unknown-key' || atKey?.has(i) === true);
    return { ...i, ...(file !== undefined ? { file } : {}), ...(pos ?? {}) };
  });
  // In file order, as a reader goes through the file (the sort is stable for equal positions).
  return placed.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

/** Keeps the first MAX_ISSUES (errors first), in file order, and counts what it leaves out. */
function failed(issues: readonly Issue[]): LoadResult {
  if (issues.length <= MAX_ISSUES) return { ok: false, issues };
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity !== 'error');
  const keep = new Set([...errors.slice(0, MAX_ISSUES), ...warnings.slice(0, Math.max(0, MAX_ISSUES - errors.length))]);
  const omitted = { errors: Math.max(0, errors.length - MAX_ISSUES), warnings: warnings.length - Math.max(0, Math.min(warnings.length, MAX_ISSUES - errors.length)) };
  return { ok: false, issues: issues.filter((i) => keep.has(i)), omitted };
}

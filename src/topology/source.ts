/**
 * Reading a topology's text: YAML (1.2 core schema: no custom tags, no code execution, bounded
 * aliases) or JSON, into a plain value, and mapping a path in the document back to the line
 * and column it came from so every Issue can point at the user's text.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Issue, Path } from './issue.js';

export interface Position {
  readonly line: number;
  readonly col: number;
}

export interface Source {
  readonly value: unknown;
  /** Where a path starts in the text; for a missing key, where its nearest existing parent is. */
  locate(path: Path, atKey?: boolean): Position | undefined;
}

export type SourceResult = { ok: true; source: Source } | { ok: false; issues: Issue[] };

const MAX_ALIASES = 1000;

export function readSource(text: string, file?: string): SourceResult {
  const isJson = file !== undefined && file.toLowerCase().endsWith('.json');
  return isJson ? readJson(text, file) : readYaml(text, file);
}

function readYaml(text: string, file: string | undefined): SourceResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, schema: 'core', merge: false });
  const issues: Issue[] = [];
  const at = (offset: number) => { const p = lines.linePos(offset); return { line: p.line, col: p.col }; };
  for (const e of doc.errors) {
    issues.push({ severity: 'error', code: 'yaml-syntax', path: [], message: firstLine(e.message), file, ...at(e.pos[0]) });
  }
  for (const w of doc.warnings) {
    // An unresolved tag (!something) would otherwise silently become a string.
    issues.push({ severity: 'error', code: 'yaml-tag', path: [], message: `${firstLine(w.message)} (custom tags are not allowed)`, file, ...at(w.pos[0]) });
  }
  if (issues.length > 0) return { ok: false, issues };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    return { ok: false, issues: [{ severity: 'error', code: 'yaml-aliases', path: [], message: (e as Error).message, file }] };
  }
  return { ok: true, source: { value, locate: (path, atKey) => locateInDoc(doc, lines, path, atKey) } };
}

function readJson(text: string, file: string): SourceResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    const where = pos ? lineCol(text, Number(pos[1])) : { line: 1, col: 1 };
    return { ok: false, issues: [{ severity: 'error', code: 'json-syntax', path: [], message: firstLine(message), file, ...where }] };
  }
  // Positions are only needed when something is wrong: parse the text as YAML (JSON is a subset) then.
  let located: { doc: Document; lines: LineCounter } | undefined;
  const locate = (path: Path, atKey?: boolean) => {
    if (!located) {
      const lines = new LineCounter();
      located = { doc: parseDocument(text, { lineCounter: lines, schema: 'core', uniqueKeys: false }), lines };
    }
    return locateInDoc(located.doc, located.lines, path, atKey);
  };
  return { ok: true, source: { value, locate } };
}

function locateInDoc(doc: Document, lines: LineCounter, path: Path, atKey = false): Position | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const last = i === path.length - 1;
      offset = (last && atKey ? rangeStart(pair.key) : rangeStart(pair.value) ?? rangeStart(pair.key)) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  if (offset === undefined) return undefined;
  const p = lines.linePos(offset);
  return { line: p.line, col: p.col };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function lineCol(text: string, offset: number): Position {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') { line++; start = i + 1; }
  return { line, col: offset - start + 1 };
}

const firstLine = (s: string): string => s.split('\n')[0] ?? s;

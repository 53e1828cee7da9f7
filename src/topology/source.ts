/**
 * Reading a topology's text: YAML (1.2 core schema: no custom tags, no code execution, bounded
 * aliases) or JSON, into a plain value, and mapping a path in the document back to the line
 * and column it came from so every Issue can point at the user's text.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import jsYaml from 'js-yaml';
import { lexedYamlDepth, MAX_DEPTH, quickYamlBound, tooDeepJson } from './depth.js';
import { readPlainYaml } from './fast-yaml.js';
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

export function readSource(raw: string, file?: string): SourceResult {
  const text = normalise(raw);
  const isJson = file !== undefined && file.toLowerCase().endsWith('.json');
  const bounded = !isJson && quickYamlBound(text) <= MAX_DEPTH;
  const deep = isJson ? tooDeepJson(text) : bounded ? undefined : lexedYamlDepth(text);
  if (deep !== undefined) {
    const message = `nesting deeper than ${MAX_DEPTH} levels of maps and lists: a topology needs fewer than 10 (refused before parsing, so that no parser runs out of stack)`;
    return { ok: false, issues: [{ severity: 'error', code: 'too-deep', path: [], message, file, ...lineCol(text, deep) }] };
  }
  if (isJson) return readJson(text, file);
  // js-yaml's fast path only where the quick bound, which holds for any parser, cleared the text.
  return (bounded ? readYamlFast(text) : undefined) ?? readYaml(text, file);
}

/**
 * A leading byte-order mark is dropped (JSON.parse refuses it; editors show no column for it).
 * A lone CR ends a line (YAML 1.2, old Mac files) and becomes LF, one character for one, so
 * every offset still holds and line counting sees the lines the user sees.
 */
function normalise(text: string): string {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.includes('\r') ? body.replace(/\r(?!\n)/g, '\n') : body;
}

/**
 * The fast path for well-formed YAML: js-yaml (core schema; it refuses duplicate keys and
 * unknown tags) builds the value 10-25× faster than a positioned parse, which is then done
 * only if something needs a line and column. Files with anchors take the careful path, whose
 * alias limits stop "billion laughs" documents; so does anything js-yaml rejects, to get the
 * positioned error.
 */
function readYamlFast(text: string): SourceResult | undefined {
  if (/(^|[\s[{,:-])&[^\s]/.test(text)) return undefined;
  // The plain subset that large generated files use is read without js-yaml, to the same value.
  let value: unknown = readPlainYaml(text);
  if (value === undefined) {
    try {
      value = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, json: false });
    } catch {
      return undefined;
    }
  }
  return { ok: true, source: { value, locate: lazyLocator(text) } };
}

/** Positions are only needed when something is wrong: parse the text with positions then (JSON is YAML too). */
function lazyLocator(text: string): Source['locate'] {
  let located: { doc: Document; lines: LineCounter } | undefined;
  return (path, atKey) => {
    if (!located) {
      const lines = new LineCounter();
      located = { doc: parseDocument(text, { lineCounter: lines, schema: 'core', uniqueKeys: false }), lines };
    }
    return locateInDoc(located.doc, located.lines, path, atKey);
  };
}

function readYaml(text: string, file: string | undefined): SourceResult {
  const lines = new LineCounter();
  // Duplicate keys are found by duplicateKeys() below in linear time: the parser's own check
  // (uniqueKeys) compares every pair of keys of a map, seconds for a map of 10,000 instances.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, schema: 'core', merge: false });
  const issues: Issue[] = [];
  const at = (offset: number) => { const p = lines.linePos(offset); return { line: p.line, col: p.col }; };
  for (const d of duplicateKeys(doc.contents)) {
    issues.push({ severity: 'error', code: 'duplicate-key', path: [], message: `duplicate key "${d.key}": a map's keys must be unique (the first is on line ${at(d.first).line})`, file, ...at(d.offset) });
  }
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
    const alias = blamedAlias(doc);
    const why = (e as Error).message;
    const message = why.startsWith('Excessive') ? `${why} (aliases may expand to at most ${MAX_ALIASES} nodes)` : why;
    return { ok: false, issues: [{ severity: 'error', code: 'yaml-aliases', path: [], message, file, ...(alias !== undefined ? at(alias) : { line: 1, col: 1 }) }] };
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
  return { ok: true, source: { value, locate: lazyLocator(text) } };
}

/** Each map's pairs by key, built when first asked: thousands of issues in one large map stay linear. */
const pairIndex = new WeakMap<object, Map<string, Pair>>();

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      // The first of duplicate keys, as a linear search would find.
      if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p as Pair);
    }
    pairIndex.set(map, index);
  }
  return index.get(key);
}

function locateInDoc(doc: Document, lines: LineCounter, path: Path, atKey = false): Position | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = pairOf(node, String(seg));
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
  // An empty or comment-only document has no node: its problems are at its start.
  if (offset === undefined) return { line: 1, col: 1 };
  const p = lines.linePos(offset);
  return { line: p.line, col: p.col };
}

/**
 * The alias that made toJS fail: one whose anchor is not defined before it, else the first
 * alias whose anchored node holds aliases itself (what multiplies an expansion), else the
 * first alias. Its offset, or undefined when the document has none.
 */
function blamedAlias(doc: Document): number | undefined {
  const aliases: Alias[] = [];
  visit(doc, { Alias: (_, node) => { aliases.push(node); } });
  const unresolved = aliases.find((a) => a.resolve(doc) === undefined);
  const holdsAliases = new Map<unknown, boolean>();
  const multiplying = aliases.find((a) => {
    const source = a.resolve(doc);
    if (!source || isAlias(source)) return false;
    if (!holdsAliases.has(source)) {
      let nested = false;
      visit(source, { Alias: () => { nested = true; return visit.BREAK; } });
      holdsAliases.set(source, nested);
    }
    return holdsAliases.get(source);
  });
  return rangeStart(unresolved ?? multiplying ?? aliases[0]);
}

/** Keys that appear twice in one map, anywhere in the document. */
function duplicateKeys(root: unknown): { key: string; offset: number; first: number }[] {
  const out: { key: string; offset: number; first: number }[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          const offset = rangeStart(pair.key) ?? 0;
          const first = seen.get(key);
          if (first !== undefined) out.push({ key, offset, first });
          else seen.set(key, offset);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
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

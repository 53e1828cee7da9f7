/**
 * Shape validation: runs the valibot schema over the parsed document and turns its issues into
 * vnet Issues with a path, a code, what was found and what was expected, and a "did you mean"
 * for misspelt keys and enum values. All issues are collected (no abort on the first).
 */
import * as v from 'valibot';
import { suggestion } from './did-you-mean.js';
import { describeValue, type Issue, type Path, type PathSegment } from './issue.js';
import { NAME_MAPS, topologySchema, type TopologyDoc } from './schema.js';
import { compileShape, REFUSED } from './shape-fast.js';

/** `atKey`: issues about a map key itself (a name that is not one), to be placed at the key. */
export type ShapeResult = { ok: true; doc: TopologyDoc } | { ok: false; issues: Issue[]; atKey: ReadonlySet<Issue> };

type AnySchema = v.GenericSchema & {
  entries?: Record<string, AnySchema>;
  item?: AnySchema;
  value?: AnySchema;
  wrapped?: AnySchema;
  options?: AnySchema[];
};
type VIssue = v.BaseIssue<unknown>;

let fastShape: ((value: unknown) => unknown) | undefined;

/**
 * Entries in the top-level maps from which the compiled check pays: compiling takes ~10 ms at
 * the CLI's cold start (valibot checks a three-tier file in ~2 ms) and saves ~6 µs per instance.
 */
export const COMPILED_FROM = 1000;

function isLarge(doc: object): boolean {
  let entries = 0;
  for (const section of Object.values(doc)) {
    if (section === null || typeof section !== 'object') continue;
    for (const _ in section) if (++entries >= COMPILED_FROM) return true;
  }
  return false;
}

export function checkShape(value: unknown): ShapeResult {
  if (value === null || value === undefined) {
    return { ok: false, atKey: new Set(), issues: [error([], 'not-a-map', 'the document is empty (nothing, or only comments): expected a map of top-level keys (version, networks, instances, ...)')] };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, atKey: new Set(), issues: [error([], 'not-a-map', `expected a map of top-level keys (version, networks, instances, ...), got ${describeValue(value)}`)] };
  }
  // For a large document, the compiled check gives valibot's value when it is well formed;
  // valibot words the issues. A small one is valibot's alone: compiling costs more than it saves.
  if (isLarge(value)) {
    fastShape ??= compileShape(topologySchema, NAME_MAPS);
    const fast = fastShape(value);
    if (fast !== REFUSED) return { ok: true, doc: fast as TopologyDoc };
  }
  const result = v.safeParse(topologySchema, value, { abortEarly: false, abortPipeEarly: true });
  if (result.success) return { ok: true, doc: result.output };
  const issues: Issue[] = [];
  const atKey = new Set<Issue>();
  for (const i of result.issues) collect(i, [], issues, atKey);
  return { ok: false, issues: mergeMisspeltRequired(dedupe(issues)), atKey };
}

function collect(issue: VIssue, prefix: Path, out: Issue[], atKey: Set<Issue>): void {
  const path = [...prefix, ...(issue.path ?? []).map((p) => p.key as PathSegment)];
  if (issue.type === 'union' && issue.issues) {
    // A short form or a long form: report only the branch that matches what the user wrote.
    const input = issue.input;
    const sameKind = issue.issues.filter((s) => !isTypeMismatchAtRoot(s));
    if (sameKind.length > 0) {
      for (const s of sameKind) collect(s, path, out, atKey);
      return;
    }
    const options = (issue.issues ?? []).filter((s) => s.type === 'picklist').flatMap((s) => picklistOptions(s.expected));
    const hint = typeof input === 'string' && options.length ? suggestion(input, options) : '';
    out.push(error(path, options.length ? 'enum' : 'type', `expected ${expectedOfUnion(issue)}, got ${describeValue(input)}${hint}`));
    return;
  }
  const made = toIssue(issue, path);
  const last = issue.path?.[issue.path.length - 1] as { origin?: string } | undefined;
  if (last?.origin === 'key') atKey.add(made);
  out.push(made);
}

/** A sub-issue saying "this branch wants another type" at the union's own position. */
function isTypeMismatchAtRoot(s: VIssue): boolean {
  return (s.path === undefined || s.path.length === 0) && s.kind === 'schema';
}

function expectedOfUnion(issue: VIssue): string {
  const kinds = new Set((issue.issues ?? []).map((s) => plainExpected(s)));
  return [...kinds].join(' or ');
}

function plainExpected(s: VIssue): string {
  if (s.type === 'strict_object' || s.type === 'object') return 'a map';
  if (s.type === 'array') return 'a list';
  if (s.type === 'picklist') return `one of ${picklistOptions(s.expected).join(', ')}`;
  if (s.type === 'literal') return `${s.expected ?? ''}`;
  return `a ${s.expected ?? s.type}`;
}

/** valibot writes a picklist's options as `("tcp" | "udp")`. */
const picklistOptions = (expected: string | null): string[] =>
  (expected ?? '').replace(/^\(|\)$/g, '').split(' | ').map((o) => o.replace(/^"|"$/g, '')).filter(Boolean);

function toIssue(issue: VIssue, path: Path): Issue {
  const got = describeValue(issue.input);
  switch (issue.type) {
    case 'strict_object': {
      const key = String(path[path.length - 1]);
      if (issue.expected === 'never') {
        const allowed = allowedKeys(path.slice(0, -1));
        return error(path, 'unknown-key', `unknown key "${key}"${suggestion(key, allowed)} (expected one of: ${allowed.join(', ')})`);
      }
      if (issue.received === 'undefined') return error(path, 'missing-key', `missing required key "${key}"`);
      return error(path, 'type', `expected a map, got ${got}`);
    }
    case 'picklist': {
      const options = picklistOptions(issue.expected);
      const hint = typeof issue.input === 'string' ? suggestion(issue.input, options) : '';
      return error(path, 'enum', `expected one of ${options.join(', ')}, got ${got}${hint}`);
    }
    case 'literal':
      if (path.length === 1 && path[0] === 'version') return error(path, 'version', `unsupported version ${got}: this vnet reads version 1 topology files`);
      return error(path, 'enum', `expected ${issue.expected}, got ${got}`);
    case 'integer':
      return error(path, 'range', `expected a whole number, got ${got}`);
    case 'min_value':
      return error(path, 'range', `expected a number of at least ${issue.expected?.replace(/^>=/, '')}, got ${got}`);
    case 'max_value':
      return error(path, 'range', `expected a number of at most ${issue.expected?.replace(/^<=/, '')}, got ${got}`);
    case 'regex':
      return error(path, 'name', `expected ${issue.message}, got ${got}`);
    case 'array':
      return error(path, 'type', `expected a list, got ${got}`);
    case 'record':
    case 'object':
      return error(path, 'type', `expected a map, got ${got}`);
    default:
      return error(path, 'type', `expected ${issue.expected === 'Object' ? 'a map' : `a ${issue.expected ?? issue.type}`}, got ${got}`);
  }
}

/** The keys the schema allows at a path (for unknown-key messages). */
export function allowedKeys(path: Path): string[] {
  const keys = new Set<string>();
  const visit = (schema: AnySchema | undefined, rest: Path): void => {
    if (!schema) return;
    if (schema.wrapped) return visit(schema.wrapped, rest);
    if (schema.options) { for (const o of schema.options) visit(o, rest); return; }
    if (rest.length === 0) {
      if (schema.entries) for (const k of Object.keys(schema.entries)) keys.add(k);
      return;
    }
    const [seg, ...tail] = rest;
    if (schema.entries && typeof seg === 'string') return visit(schema.entries[seg], tail);
    if (schema.type === 'record') return visit(schema.value, tail);
    if (schema.type === 'array') return visit(schema.item, tail);
  };
  visit(topologySchema as unknown as AnySchema, path);
  return [...keys];
}

const error = (path: Path, code: string, message: string): Issue => ({ severity: 'error', code, path, message });

/**
 * A misspelt required key shows up twice (unknown "cidrr", missing "cidr"): keep one error
 * that says both.
 */
function mergeMisspeltRequired(issues: Issue[]): Issue[] {
  const parent = (p: Path) => p.slice(0, -1).join('\u0000');
  const missing = new Map(issues.filter((i) => i.code === 'missing-key').map((i) => [`${parent(i.path)}|${String(i.path[i.path.length - 1])}`, i]));
  const drop = new Set<Issue>();
  const out = issues.map((i) => {
    if (i.code !== 'unknown-key') return i;
    const m = /did you mean "([^"]+)"/.exec(i.message);
    const twin = m ? missing.get(`${parent(i.path)}|${m[1]}`) : undefined;
    if (!twin) return i;
    drop.add(twin);
    return { ...i, message: `unknown key "${String(i.path[i.path.length - 1])}"; did you mean "${m![1]}"? ("${m![1]}" is required)` };
  });
  return out.filter((i) => !drop.has(i));
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path.join('\u0000')}|${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

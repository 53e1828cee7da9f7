/**
 * The loader never throws and never hangs on bad input. Each bundled example is mutated at
 * random (keys dropped or renamed, values swapped for other types, references replaced by
 * near-miss or random names, huge/negative/fractional numbers, empty strings, deep nesting,
 * entries cloned under new names) and fed back as YAML or JSON: parseTopology must return
 * either a cloud or a non-empty list of well-formed issues. FUZZ_RUNS=5000 searches harder.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseTopology } from '../../../src/topology/load.js';
import { cloudToJson } from '../../../src/topology/to-json.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Segment = string | number;

const examples = readdirSync('topologies').filter((f) => f.endsWith('.yaml')).sort()
  .map((f) => ({ file: f, doc: parse(readFileSync(`topologies/${f}`, 'utf8')) as Json }));

/** Every path in a value, parents before children, in a stable order. */
function paths(value: Json, prefix: Segment[] = [], out: Segment[][] = []): Segment[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

/** Names that occur in the documents, so replaced references are sometimes near misses. */
const NAMES = ['web', 'db', 'wbe', 'web-1', 'web-2', 'public', 'edge', 'default', 'app', 'core', 'front-v6', 'lan-v4', 'web-pool', 'x'];

const number = fc.oneof(
  fc.constantFrom(0, -1, 0.5, -0.5, 1e308, -1e308, 2 ** 53, 65535, 65536, 4294967296, Infinity, -Infinity, Number.NaN),
  fc.integer(),
  fc.double(),
);
const text = fc.oneof(
  fc.constantFrom('', ' ', '0', 'tcp/0', 'tcp/', '10.0.0.0/33', '10.0.0.5/24', '::/0', '999.1.1.1', '10.0.0.9-10.0.0.1', 'ff:ff:ff:ff:ff:ff', '-', '/', 'web-1/eth9', 'null', '~'),
  fc.constantFrom(...NAMES),
  fc.string({ maxLength: 12 }),
);
const scalar: fc.Arbitrary<Json> = fc.oneof(number, text, fc.boolean(), fc.constant(null));
const weird: fc.Arbitrary<Json> = fc.oneof(
  scalar,
  fc.constant<Json>([]),
  fc.constant<Json>({}),
  fc.array(scalar, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('subnet', 'ip', 'cidr', 'name', 'ports', 'rules', 'zzz'), scalar, { maxKeys: 3 }),
);

type Mutation =
  | { kind: 'drop'; at: number }
  | { kind: 'set'; at: number; value: Json }
  | { kind: 'swap-type'; at: number }
  | { kind: 'rename'; at: number; name: string }
  | { kind: 'nest'; at: number; depth: number; asMap: boolean }
  | { kind: 'clone'; at: number; name: string }
  /** Type-preserving: a string leaf gets another string, a number leaf another number. */
  | { kind: 'retext'; at: number; value: string }
  | { kind: 'renumber'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: weird }),
  fc.record({ kind: fc.constant('swap-type' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), name: fc.oneof(fc.constantFrom(...NAMES, 'subnt', 'netwroks', 'cidrr'), fc.string({ maxLength: 8 })) }),
  fc.record({ kind: fc.constant('nest' as const), at: fc.nat(), depth: fc.integer({ min: 1, max: 60 }), asMap: fc.boolean() }),
  fc.record({ kind: fc.constant('clone' as const), at: fc.nat(), name: fc.constantFrom(...NAMES, 'copy') }),
  fc.record({ kind: fc.constant('retext' as const), at: fc.nat(), value: text }),
  fc.record({ kind: fc.constant('renumber' as const), at: fc.nat(), value: number }),
);

/** A value of another type made from the old one: "80" ↔ 80, x → [x], x → { x }, [x] → x. */
function swapType(value: Json): Json {
  if (typeof value === 'string') return value === '' ? 0 : Number.isNaN(Number(value)) ? [value] : Number(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 0;
  if (value === null) return {};
  if (Array.isArray(value)) return value.length > 0 ? value[0]! : null;
  return Object.values(value);
}

function leafAt(doc: Json, path: Segment[]): Json {
  let v = doc;
  for (const seg of path) v = (v as Record<Segment, Json>)[seg]!;
  return v;
}

function apply(doc: Json, m: Mutation): Json {
  const leafType = m.kind === 'retext' ? 'string' : m.kind === 'renumber' ? 'number' : undefined;
  const all = leafType ? paths(doc).filter((p) => p.length > 0 && typeof leafAt(doc, p) === leafType) : paths(doc);
  if (all.length === 0) return doc;
  const path = all[m.at % all.length]!;
  if (path.length === 0) {
    // The root: only wrapping and type swaps make sense.
    if (m.kind === 'nest') return nest(doc, m.depth, m.asMap);
    if (m.kind === 'retext' || m.kind === 'renumber') return doc;
    return m.kind === 'swap-type' ? swapType(doc) : m.kind === 'set' ? structuredClone(m.value) : doc;
  }
  let parent = doc as Json[] | { [key: string]: Json };
  for (const seg of path.slice(0, -1)) parent = (parent as Record<Segment, Json>)[seg] as typeof parent;
  const key = path[path.length - 1]!;
  const current = (parent as Record<Segment, Json>)[key]!;
  const put = (v: Json) => { (parent as Record<Segment, Json>)[key] = v; };
  switch (m.kind) {
    case 'drop':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      break;
    case 'set': put(structuredClone(m.value)); break; // generated values are shared between runs
    case 'swap-type': put(swapType(current)); break;
    case 'nest': put(nest(current, m.depth, m.asMap)); break;
    case 'rename':
      if (Array.isArray(parent)) put(m.name);          // in a list, a reference becomes another name
      else if (typeof current === 'string') put(m.name); // a string value: a reference, renamed
      else { delete parent[key as string]; parent[m.name] = current; }
      break;
    case 'clone':
      if (Array.isArray(parent)) parent.push(structuredClone(current));
      else parent[`${String(key)}-${m.name}`] = structuredClone(current);
      break;
    case 'retext': put(m.value); break;
    case 'renumber': put(m.value); break;
  }
  return doc;
}

function nest(value: Json, depth: number, asMap: boolean): Json {
  let v = value;
  for (let i = 0; i < depth; i++) v = asMap ? { a: v } : [v];
  return v;
}

describe('parseTopology on mutated examples', () => {
  it.each(examples)('$file: never throws; ok with a cloud, or well-formed issues', ({ file, doc }) => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (mutations, asJson) => {
        let value = structuredClone(doc);
        for (const m of mutations) value = apply(value, m);
        const source = asJson ? JSON.stringify(value, null, 1) : stringify(value);
        const name = asJson ? `fuzz-${file}.json` : `fuzz-${file}`;
        const result = parseTopology(source, name);
        if (result.ok) {
          expect(result.cloud.ports).toBeInstanceOf(Map);
          // Deterministic: the same text gives the same cloud.
          const again = parseTopology(source, name);
          expect(again.ok && cloudToJson(again.cloud)).toEqual(cloudToJson(result.cloud));
          return;
        }
        expect(result.issues.length).toBeGreaterThan(0);
        expect(result.issues.some((i) => i.severity === 'error')).toBe(true);
        for (const issue of result.issues) {
          expect(typeof issue.code).toBe('string');
          expect(issue.code).not.toBe('');
          expect(Array.isArray(issue.path)).toBe(true);
          for (const seg of issue.path) expect(['string', 'number']).toContain(typeof seg);
          expect(typeof issue.message).toBe('string');
          expect(issue.message).not.toBe('');
          expect(issue.file).toBe(name);
          if (issue.line !== undefined) expect(issue.line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: Number(process.env['FUZZ_RUNS'] ?? 150) },
    );
  });

  it('extreme nesting in the text itself is an issue, not a crash', () => {
    const deep = `version: 1\nname: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`;
    const result = parseTopology(deep, 'deep.yaml');
    expect(result.ok).toBe(false);
  });

  it('an alias bomb is refused, not expanded', () => {
    const lines = ['version: 1', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const result = parseTopology(`${lines.join('\n')}\n`, 'bomb.yaml');
    expect(result.ok).toBe(false);
  });
});

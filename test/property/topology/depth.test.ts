/**
 * The nesting bound over generated documents: a chain of maps and lists of any depth, with
 * sibling strings full of brackets, quotes and comment marks, written as JSON or as YAML in
 * block, flow or mixed style at several indentations. Up to 63 levels read back exactly; 65
 * and more are refused with one positioned too-deep issue; the one-pass bound that lets a text
 * skip the lexer is never below the true depth.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { MAX_DEPTH, quickYamlBound } from '../../../src/topology/depth.js';
import { readSource } from '../../../src/topology/source.js';

type Json = string | Json[] | { [key: string]: Json };

const tricky = fc.string({ unit: fc.constantFrom(...'[]{}"\'#:,- ab\n'), maxLength: 8 });
const level = fc.record({ list: fc.boolean(), key: tricky, sibling: fc.option(tricky, { nil: undefined }), before: fc.boolean() });
/** Any depth up to 140, half of the time near the limit where an off-by-some would show. */
const chain = fc.oneof(
  fc.array(level, { minLength: 1, maxLength: 140 }),
  fc.integer({ min: MAX_DEPTH - 8, max: MAX_DEPTH + 8 }).chain((n) => fc.array(level, { minLength: n, maxLength: n })),
);

/** The chain as a value; its depth is the chain's length (siblings are strings). */
function build(levels: readonly { list: boolean; key: string; sibling?: string; before: boolean }[], leaf: string): Json {
  let value: Json = leaf;
  for (const l of [...levels].reverse()) {
    if (l.list) value = l.sibling === undefined ? [value] : l.before ? [l.sibling, value] : [value, l.sibling];
    else {
      const key = l.sibling !== undefined && l.sibling === l.key ? `${l.key}!` : l.key;
      const entries: [string, Json][] = [[key, value]];
      if (l.sibling !== undefined) entries[l.before ? 'unshift' : 'push'](['s' + l.sibling, l.sibling]);
      value = Object.fromEntries(entries);
    }
  }
  return value;
}

const format = fc.oneof(
  fc.record({ json: fc.constant(true as const), indent: fc.constantFrom(0, 1, 2) }),
  fc.record({ json: fc.constant(false as const), indent: fc.integer({ min: 1, max: 4 }), indentSeq: fc.boolean(), collectionStyle: fc.constantFrom('any', 'block', 'flow') as fc.Arbitrary<'any' | 'block' | 'flow'> }),
);

function write(value: Json, f: { json: boolean; indent: number; indentSeq?: boolean; collectionStyle?: 'any' | 'block' | 'flow' }): string {
  return f.json ? JSON.stringify(value, null, f.indent) : stringify(value, { indent: f.indent, indentSeq: f.indentSeq ?? true, collectionStyle: f.collectionStyle ?? 'any', lineWidth: 0 });
}

function faithful(text: string, value: Json): boolean {
  try {
    return JSON.stringify(parse(text)) === JSON.stringify(value);
  } catch {
    return false;
  }
}

describe('nesting bound (property)', () => {
  it('up to 63 levels read back exactly; 65 and more give one positioned too-deep issue', () => {
    fc.assert(fc.property(chain, tricky, format, (levels, leaf, f) => {
      const value = build(levels, leaf);
      const text = write(value, f);
      // Only faithful renderings (yaml's stringify garbles some odd strings); 140 levels are safe to parse here.
      fc.pre(f.json || faithful(text, value));
      const read = readSource(text, f.json ? 'x.json' : 'x.yaml');
      if (levels.length <= MAX_DEPTH - 1) {
        expect(read.ok ? [] : read.issues.map((i) => i.code)).toEqual([]);
        if (read.ok) expect(read.source.value).toEqual(value);
      } else if (levels.length > MAX_DEPTH) {
        expect(read.ok).toBe(false);
        if (read.ok) return;
        expect(read.issues.map((i) => i.code)).toEqual(['too-deep']);
        expect(read.issues[0]!.line).toBeGreaterThanOrEqual(1);
        expect(read.issues[0]!.col).toBeGreaterThanOrEqual(1);
      }
    }), { numRuns: 300 });
  });

  it('the one-pass bound is never below the true depth', () => {
    fc.assert(fc.property(chain, tricky, format, (levels, leaf, f) => {
      const text = write(build(levels, leaf), { ...f, json: false, indent: Math.max(1, f.indent) });
      expect(quickYamlBound(text)).toBeGreaterThanOrEqual(levels.length);
    }), { numRuns: 300 });
  });
});

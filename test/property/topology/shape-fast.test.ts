/**
 * The compiled shape check (shape-fast.ts) against valibot, the reference: on random documents
 * drawn from the topology schema itself, valid ones and ones with a wrong type, an unknown or a
 * missing key, a bad name, a number out of range, keys out of the schema's order, it gives
 * valibot's output (keys in order, name maps without a prototype) when valibot accepts and
 * REFUSED when valibot refuses; and checkShape's answer is valibot's either way.
 */
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { checkShape, COMPILED_FROM } from '../../../src/topology/check-shape.js';
import { NAME_MAPS, topologySchema } from '../../../src/topology/schema.js';
import { compileShape, REFUSED } from '../../../src/topology/shape-fast.js';
import { sameValue } from './same-value.js';

interface Node {
  type: string;
  kind: string;
  pipe?: Node[];
  wrapped?: Node;
  options?: unknown[];
  literal?: unknown;
  item?: Node;
  key?: Node;
  value?: Node;
  entries?: Record<string, Node>;
  requirement?: unknown;
}

const NAMES = ['web', 'vm-1', 'a.b_c', '9', 'default', 'constructor', 'toString', 'default@beta'];
const BAD_NAMES = ['-x', 'a b', '', 'a/b', 'é', '__proto__'];
/** Values of every kind, for wrong types anywhere. */
const JUNK: unknown[] = [null, [], {}, 'x', 0, 1.5, -1, true, [1], { unknown: 1 }, NaN, Infinity];

/** Mostly `good`, now and then `bad`: a document keeps most of its parts right around a mistake. */
const rarely = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>): fc.Arbitrary<T | U> => fc.oneof({ weight: 30, arbitrary: good }, { weight: 1, arbitrary: bad });

/** A value for a schema: valid most of the time, else one of several mistakes (when `mistakes`). */
function arb(node: Node, mistakes: boolean): fc.Arbitrary<unknown> {
  const valid = validArb(node, mistakes);
  return mistakes ? fc.oneof({ weight: 150, arbitrary: valid }, { weight: 1, arbitrary: fc.constantFrom(...JUNK) }) : valid;
}

function validArb(node: Node, mistakes: boolean): fc.Arbitrary<unknown> {
  if (node.pipe) {
    const actions = node.pipe.slice(1);
    const regex = actions.find((a) => a.type === 'regex');
    if (regex) {
      const good = fc.constantFrom(...NAMES.filter((n) => (regex.requirement as RegExp).test(n)));
      return mistakes ? rarely(good, fc.constantFrom(...BAD_NAMES, 'default@beta')) : good;
    }
    const min = actions.find((a) => a.type === 'min_value')?.requirement as number | undefined;
    const max = actions.find((a) => a.type === 'max_value')?.requirement as number | undefined;
    if (min !== undefined || max !== undefined) {
      const lo = min ?? 0;
      const hi = max ?? lo + 100;
      const whole = actions.some((a) => a.type === 'integer');
      const inRange = whole ? fc.integer({ min: Math.ceil(lo), max: Math.floor(Math.min(hi, Math.ceil(lo) + 1000)) }) : fc.constantFrom(lo, (lo + hi) / 2, hi);
      return mistakes ? rarely(inRange, fc.constantFrom(lo - 1, hi + 1, Math.ceil(lo) + 0.5)) : inRange;
    }
    const length = actions.find((a) => a.type === 'length')?.requirement as number | undefined;
    if (length !== undefined && node.pipe[0]!.item) {
      return fc.array(arb(node.pipe[0]!.item, mistakes), mistakes ? { minLength: length - 1, maxLength: length + 1 } : { minLength: length, maxLength: length });
    }
    return validArb(node.pipe[0]!, mistakes);
  }
  switch (node.type) {
    case 'string': return fc.constantFrom('tcp/22', '10.0.0.0/24', '10.0.0.5', 'text', '');
    case 'number': return fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(2.5));
    case 'boolean': return fc.boolean();
    case 'literal': return mistakes ? rarely(fc.constant(node.literal), fc.constant(2)) : fc.constant(node.literal);
    case 'picklist': return mistakes ? rarely(fc.constantFrom(...(node.options ?? [])), fc.constantFrom('tpc', 'ANY')) : fc.constantFrom(...(node.options ?? []));
    case 'nullable': return fc.oneof(fc.constant(null), arb(node.wrapped!, mistakes));
    case 'optional': return arb(node.wrapped!, mistakes);
    case 'union': return fc.oneof(...(node.options as Node[]).map((o) => arb(o, mistakes)));
    case 'array': return fc.array(arb(node.item!, mistakes), { maxLength: 3 });
    case 'record': {
      const keys = validArb(node.key!, false).map(String);
      const bad = mistakes ? rarely(keys, fc.constantFrom(...BAD_NAMES)) : keys;
      return fc.uniqueArray(fc.tuple(bad, arb(node.value!, mistakes)), { maxLength: 3, selector: ([k]) => k }).map((entries) => {
        const out: Record<string, unknown> = {};
        // defineProperty: an own "__proto__" key, as JSON.parse and the YAML readers make it.
        for (const [k, val] of entries) Object.defineProperty(out, k, { value: val, enumerable: true, writable: true, configurable: true });
        return out;
      });
    }
    case 'strict_object': return strictObjectArb(node.entries!, mistakes);
    default: throw new Error(`no arbitrary for schema type ${node.type}`);
  }
}

/** Present optional keys at random, in the schema's order or reversed; with mistakes, a key dropped or added. */
function strictObjectArb(entries: Record<string, Node>, mistakes: boolean): fc.Arbitrary<unknown> {
  const keys = Object.keys(entries);
  const parts = keys.map((k) => {
    const e = entries[k]!;
    const value = arb(e.type === 'optional' ? e.wrapped! : e, mistakes);
    const optional = e.type === 'optional';
    return fc.tuple(fc.constant(k), optional || mistakes ? fc.option(value, { nil: undefined, freq: optional ? 2 : 100 }) : value);
  });
  return fc.tuple(fc.tuple(...parts), fc.boolean(), mistakes ? rarely(fc.constant(null), fc.constantFrom('cidrr', 'extra', 'project')) : fc.constant(null)).map(([pairs, reversed, extra]) => {
    const present = pairs.filter(([, val]) => val !== undefined);
    const ordered = reversed ? [...present].reverse() : present;
    const out: Record<string, unknown> = Object.fromEntries(ordered);
    if (extra !== null && !(extra in out)) out[extra] = 1;
    return out;
  });
}


const schema = topologySchema as unknown as Node;
const fast = compileShape(topologySchema, NAME_MAPS);
const reference = (doc: unknown) => v.safeParse(topologySchema, doc, { abortEarly: false, abortPipeEarly: true });

describe('compileShape', () => {
  it('accepts every valid document, with valibot\'s output', () => {
    fc.assert(fc.property(arb(schema, false), (doc) => {
      const ref = reference(doc);
      expect(ref.success).toBe(true);
      const out = fast(doc);
      expect(out).not.toBe(REFUSED);
      expect(sameValue(out, ref.output)).toBe(true);
    }), { numRuns: 300 });
  });

  it('gives valibot\'s output where valibot accepts and refuses where valibot refuses, mistakes included', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(fc.property(arb(schema, true), (doc) => {
      const ref = reference(doc);
      const out = fast(doc);
      if (!ref.success) {
        refused++;
        expect(out).toBe(REFUSED);
      } else if (out !== REFUSED) {
        accepted++;
        expect(sameValue(out, ref.output)).toBe(true);
      }
    }), { numRuns: 600 });
    // Both sides of the property are exercised.
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(100);
  });

  it('leaves checkShape\'s answer valibot\'s, for documents large enough to be checked by the compiled check', () => {
    // Padded with empty projects past COMPILED_FROM entries, where checkShape tries the compiled check first.
    const padding = Object.fromEntries(Array.from({ length: COMPILED_FROM }, (_, i) => [`pad-${i}`, {}]));
    const large = arb(schema, true).map((doc) => (doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? { ...doc, projects: { ...padding, ...(doc as { projects?: object }).projects } } : doc));
    fc.assert(fc.property(large, (doc) => {
      const ref = reference(doc);
      const got = checkShape(doc);
      expect(got.ok).toBe(ref.success);
      if (got.ok && ref.success) expect(sameValue(got.doc, ref.output)).toBe(true);
    }), { numRuns: 150 });
  });
});

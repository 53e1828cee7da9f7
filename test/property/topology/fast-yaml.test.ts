/**
 * The plain-YAML reader (fast-yaml.ts) against js-yaml, the reference it stands in for: on any
 * text, it gives js-yaml's value (same keys in the same order, same types, same prototypes) or
 * gives way (undefined). Texts are rendered from random trees in block and flow styles, with
 * comments, blank lines, several indentations, quoted and tricky scalars (YAML 1.1 words, octal,
 * exponents, ~, <<, indicators, non-ASCII, controls), then edited character by character.
 */
import fc from 'fast-check';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { readPlainYaml } from '../../../src/topology/fast-yaml.js';
import { sameValue } from './same-value.js';

type Tree = { kind: 'scalar'; raw: string } | { kind: 'seq'; items: Tree[]; flow: boolean } | { kind: 'map'; entries: [string, Tree][]; flow: boolean };

/** Scalars the subset reads whole: names, numbers, addresses, services. */
const SAFE = ['web', 'vm-00001', 'sub-042', 'tcp/80', 'tcp/8000-8010', '10.0.0.0/22', '198.51.100.7', '2001:db8::5', '80', '0', '-1', '3.5', 'true', 'false', 'null', 'default@beta', 'a.b_c', 'x y z'];
/** Scalars that type as something other than text, or are text only in YAML 1.2, or leave the subset. */
const TRICKY = [
  'yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'NO', 'True', 'TRUE', 'False', 'Null', 'NULL', '~', '', '0755', '0o17', '0x1F', '0b101', '1_000', '1e3', '1E-2', '.5', '5.', '-.inf', '.Inf', '.NaN', '+1', '-0', '+.5', '1:20', '12:30:45', '2001-01-01',
  '<<', '__proto__', 'constructor', 'toString', 'a#b', 'a #b', 'a: b', 'a:', 'a:b', '- x', '-x', '-', '?x', ':x', '@x', '`x', '%x', '&a', '*a', '!t', '!!str x', '|', '>', 'a]', 'a}', 'a,b', '[a]', '{a: 1}', 'é', 'naïve café', '\u0085x', '\u2028', '\ud83d\ude00', '\ufeffx', 'x\uffff', '[\ufffe]', 'x\ty', 'x\u0001',
  '"q"', '"a\\"b"', '"\\x41\\u00e9\\n"', '"\\t\\\\/"', '"\\N\\_"', '"\\U0001F600"', '"\\q"', "'it''s'", "'a # b'", "''", '""', '"a', "'a", '"a" b', '"a":', "'x'y",
];
const KEYS = ['a', 'b', 'name', 'ports', 'x-1', 'x.y', 'vm_2', '-k', 'default@p', '1', '01', '1e3', 'true', 'null', '~', '<<', '__proto__', 'constructor', 'a b', '@k', 'é', 'k#', '"q"', "'s'", '? k', '[k]'];

/** Mostly the first pool, now and then the second: a document stays readable around its odd token. */
const mostly = (common: readonly string[], rare: readonly string[]): fc.Arbitrary<string> =>
  rare.length === 0 ? fc.constantFrom(...common) : fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...common) }, { weight: 1, arbitrary: fc.constantFrom(...rare) });

/** With `duplicates`, a map may repeat a key (js-yaml refuses it; so must the reader). */
function trees(scalars: fc.Arbitrary<string>, keys: fc.Arbitrary<string>, duplicates: boolean): fc.Arbitrary<Tree> {
  const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalars.map((raw) => ({ kind: 'scalar' as const, raw })),
      fc.record({ kind: fc.constant('seq' as const), items: fc.array(tie('tree'), { maxLength: 4 }), flow: fc.boolean() }),
      fc.record({
        kind: fc.constant('map' as const),
        entries: duplicates ? fc.array(fc.tuple(keys, tie('tree')), { maxLength: 4 }) : fc.uniqueArray(fc.tuple(keys, tie('tree')), { maxLength: 4, selector: ([k]) => k }),
        flow: fc.boolean(),
      }),
    ),
  }));
  return tree;
}

/** How a tree is written: indentation step, lists under a key at its column or deeper, dash spacing, comments. */
interface Style {
  step: number;
  seqIndented: boolean;
  dashSpaces: number;
  comments: boolean;
  blankLines: boolean;
  flowSpacing: 0 | 1 | 2;
  /** A scalar with a blank may go on over a deeper next line (plain or quoted, multi-line: js-yaml's to read). */
  fold: boolean;
  /** Comments hold what js-yaml refuses anywhere (controls, C1, lone surrogates) or reads (tabs, non-ASCII). */
  note: string;
}
const styles = (fold: boolean): fc.Arbitrary<Style> => fc.record({
  step: fc.integer({ min: 1, max: 4 }),
  seqIndented: fc.boolean(),
  dashSpaces: fc.integer({ min: 1, max: 3 }),
  comments: fc.boolean(),
  blankLines: fc.boolean(),
  flowSpacing: fc.constantFrom(0 as const, 1 as const, 2 as const),
  fold: fold ? fc.boolean() : fc.constant(false),
  note: fold ? fc.constantFrom('[x] "y"', 'é ☃', '\t tab', '\u0001', '\u0085', '\ud800', '\ud83d\ude00', '\ufffe', '\u007f') : fc.constant('[x] "y"'),
});

function flow(t: Tree, s: Style): string {
  const sp = [' ', '', '  '][s.flowSpacing]!;
  const sep = [', ', ',', ' ,  '][s.flowSpacing]!;
  if (t.kind === 'scalar') return t.raw;
  if (t.kind === 'seq') return t.items.length === 0 ? '[]' : `[${sp}${t.items.map((i) => flow(i, s)).join(sep)}${sp}]`;
  return t.entries.length === 0 ? '{}' : `{${sp}${t.entries.map(([k, v]) => `${k}: ${flow(v, s)}`).join(sep)}${sp}}`;
}

const inlineable = (t: Tree): boolean => t.kind === 'scalar' || t.flow || (t.kind === 'seq' ? t.items.length === 0 : t.entries.length === 0);

function block(t: Tree, indent: number, s: Style, out: string[], n: { i: number }): void {
  const pad = ' '.repeat(indent);
  const tail = (): string => (s.comments && n.i++ % 3 === 0 ? ` # note: ${s.note}` : '');
  const gap = (): void => {
    if (s.blankLines && n.i % 4 === 1) out.push('');
    if (s.comments && n.i % 5 === 2) out.push(`${' '.repeat(n.i % 7)}# a comment line ${s.note}`);
  };
  if (t.kind === 'map') {
    for (const [k, v] of t.entries) {
      gap();
      if (v.kind === 'scalar' && s.fold && v.raw.includes(' ')) {
        const cut = v.raw.lastIndexOf(' ');
        out.push(`${pad}${k}: ${v.raw.slice(0, cut)}`, `${pad}${' '.repeat(s.step)}${v.raw.slice(cut + 1)}`);
      } else if (inlineable(v)) out.push(`${pad}${k}: ${flow(v, s)}${tail()}`);
      else {
        out.push(`${pad}${k}:${tail()}`);
        block(v, v.kind === 'seq' && !s.seqIndented ? indent : indent + s.step, s, out, n);
      }
    }
  } else if (t.kind === 'seq') {
    for (const item of t.items) {
      gap();
      const dash = `${pad}-${' '.repeat(s.dashSpaces)}`;
      if (inlineable(item)) out.push(`${dash}${flow(item, s)}${tail()}`);
      else if (item.kind === 'map') {
        // A compact map: its first key on the dash's line, the others at that key's column.
        const inner: string[] = [];
        block(item, indent + 1 + s.dashSpaces, s, inner, n);
        const first = inner.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
        inner[first] = dash + inner[first]!.slice(indent + 1 + s.dashSpaces);
        out.push(...inner);
      } else {
        out.push(`${pad}-${tail()}`);
        block(item, indent + s.step, s, out, n);
      }
    }
  } else {
    out.push(`${pad}${t.raw}`);
  }
}

function render(t: Tree, s: Style): string {
  const out: string[] = [];
  if (inlineable(t)) return `${flow(t, s)}\n`;
  block(t, 0, s, out, { i: 0 });
  return `${out.join('\n')}\n`;
}

/** The top level of a topology: a block map. */
const documents = (scalars: fc.Arbitrary<string>, keys: fc.Arbitrary<string>, odd = { duplicates: true, fold: true }) =>
  fc.tuple(fc.uniqueArray(fc.tuple(keys, trees(scalars, keys, odd.duplicates)), { minLength: 1, maxLength: 5, selector: ([k]) => k }), styles(odd.fold))
    .map(([entries, style]) => render({ kind: 'map', entries, flow: false }, style));


function agreesWithJsYaml(text: string): void {
  const fast = readPlainYaml(text);
  if (fast === undefined) return;
  let reference: unknown;
  try {
    reference = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, json: false });
  } catch (e) {
    throw new Error(`read ${JSON.stringify(fast)} where js-yaml refuses\n${text}`, { cause: e });
  }
  if (!sameValue(fast, reference)) throw new Error(`read ${JSON.stringify(fast)} where js-yaml reads ${JSON.stringify(reference)}\n${text}`);
}

/** Edits that matter to YAML: indicators, blanks, line breaks, quotes, a tab, a digit. */
const edits = fc.array(fc.tuple(fc.nat(), fc.constantFrom('del', 'ins', 'set'), fc.constantFrom(' ', '\n', ':', '-', '#', '[', ']', '{', '}', ',', '"', "'", '&', '*', '!', '|', '>', '?', '\t', 'a', '1', '.', '~', '\\')), { minLength: 1, maxLength: 3 });

function edit(text: string, list: readonly [number, string, string][]): string {
  let t = text;
  for (const [at, op, ch] of list) {
    const i = at % (t.length + 1);
    t = op === 'del' ? t.slice(0, i) + t.slice(i + 1) : op === 'ins' ? t.slice(0, i) + ch + t.slice(i) : t.slice(0, i) + ch + t.slice(i + 1);
  }
  return t;
}

describe('readPlainYaml', () => {
  it('reads every document of safe scalars, in any style, to js-yaml\'s value', () => {
    fc.assert(fc.property(documents(mostly(SAFE, []), mostly(KEYS.slice(0, 7), []), { duplicates: false, fold: false }), (text) => {
      const fast = readPlainYaml(text);
      expect(fast, text).toBeDefined();
      agreesWithJsYaml(text);
    }), { numRuns: 400 });
  });

  it('gives js-yaml\'s value or gives way, with tricky scalars and keys', () => {
    fc.assert(fc.property(documents(mostly(SAFE, TRICKY), mostly(KEYS.slice(0, 7), KEYS.slice(7))), (text) => agreesWithJsYaml(text)), { numRuns: 1500 });
  });

  it('gives js-yaml\'s value or gives way, after random edits', () => {
    fc.assert(fc.property(documents(mostly(SAFE, TRICKY.slice(0, 40)), mostly(KEYS.slice(0, 7), KEYS.slice(7, 14))), edits, (text, list) => agreesWithJsYaml(edit(text, list))), { numRuns: 1500 });
  });
});

/**
 * The one-pass nesting bound and comment marks: before a text's first quote, " #" starts a
 * comment whose brackets and quotes are ignored (so an ordinary file with `# the group's`
 * after a flow map keeps the fast path); after a quote, a " #" may be inside a multi-line
 * string whose closing quote is followed by structural brackets, which the bound must count.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, quickYamlBound } from '../../../src/topology/depth.js';
import { readSource } from '../../../src/topology/source.js';

const nested = (n: number): string => `${'['.repeat(n)}x${']'.repeat(n)}`;
const quote = fc.constantFrom('"', "'");
/** Text a comment may hold: brackets and quotes of every kind. */
const commentText = fc.string({ unit: fc.constantFrom(...'[]{}"\' ab#'), maxLength: 12 });

describe('nesting bound and comments (property)', () => {
  it('a " #" inside a multi-line quoted scalar does not hide the brackets after its closing quote', () => {
    fc.assert(fc.property(quote, fc.integer({ min: 1, max: 140 }), commentText, (q, n, tail) => {
      // a: "x\n # <text>": [[[x]]] is no valid YAML, but yaml's lexer sees the n lists, and a
      // parser given it would recurse into them: past the limit it is refused before parsing.
      const text = `a: ${q}x\n # ${tail.split(q).join('')}${q}: ${nested(n)}\n`;
      expect(quickYamlBound(text)).toBeGreaterThanOrEqual(n);
      const read = readSource(text, 'x.yaml');
      if (n > MAX_DEPTH) expect(read.ok ? [] : read.issues.map((i) => i.code)).toEqual(['too-deep']);
    }), { numRuns: 200 });
  });

  it('before the first quote, a comment after a flow map is ignored whole: the bound stays finite and exact enough', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), commentText, (n, comment) => {
      const text = `version: 1\nhosts:\n  a: { ip: ${nested(n)} }   # ${comment}\n  b: 2\n`;
      const bound = quickYamlBound(text);
      // Block keys at columns 0 and 2, then the flow map and n lists on one line.
      expect(bound).toBe(2 * (2 + 1) + n + 1);
    }), { numRuns: 200 });
  });
});

/**
 * Nesting is bounded before any parser recurses: deep JSON and YAML, flow or block, are refused
 * with a positioned too-deep issue however often they are parsed in one process (V8 used to
 * abort the process on the fourth or so parse of 2,000 brackets), and brackets that are text
 * (quotes, comments, block scalars) never count.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '../../../src/topology/depth.js';
import { parseTopology } from '../../../src/topology/load.js';

const deepJson = (n: number) => '{"version":1,"name":' + '['.repeat(n) + ']'.repeat(n) + '}';

function tooDeep(text: string, file: string) {
  const result = parseTopology(text, file);
  expect(result.ok).toBe(false);
  if (result.ok) return undefined;
  const deep = result.issues.filter((i) => i.code === 'too-deep');
  expect(result.issues).toHaveLength(deep.length);
  return deep.map((i) => ({ file: i.file, line: i.line, col: i.col }));
}

function notTooDeep(text: string, file = 'x.yaml'): void {
  const result = parseTopology(text, file);
  expect(result.ok ? [] : result.issues.map((i) => i.code)).not.toContain('too-deep');
}

describe('nesting limit', () => {
  it('is 64 levels', () => expect(MAX_DEPTH).toBe(64));

  it.each(['x.json', 'x.yaml'])('2,000 brackets parsed 50 times in one process (%s): too-deep at the 65th level, every time', (file) => {
    // The 65th level is the 64th "[" (the braces are the first): column 20 + 64.
    for (let i = 0; i < 50; i++) expect(tooDeep(deepJson(2000), file)).toEqual([{ file, line: 1, col: 84 }]);
  });

  it('1,000 and 100,000 levels give too-deep, not a stack overflow reported as a syntax error', () => {
    expect(tooDeep(deepJson(1000), 'x.yaml')).toEqual([{ file: 'x.yaml', line: 1, col: 84 }]);
    expect(tooDeep(deepJson(100_000), 'x.json')).toEqual([{ file: 'x.json', line: 1, col: 84 }]);
  });

  it('block maps 2,000 deep, parsed 50 times: too-deep on the 65th line', () => {
    let text = '';
    for (let i = 0; i < 2000; i++) text += `${'  '.repeat(i)}a:\n`;
    for (let i = 0; i < 50; i++) expect(tooDeep(text, 'x.yaml')).toEqual([{ file: 'x.yaml', line: 65, col: 129 }]);
  });

  it('compact block lists 2,000 deep on one line ("- - - … x"), and one per line', () => {
    expect(tooDeep(`${'- '.repeat(2000)}x\n`, 'x.yaml')).toEqual([{ file: 'x.yaml', line: 1, col: 129 }]);
    let lines = '';
    for (let i = 0; i < 2000; i++) lines += `${' '.repeat(i)}-\n`;
    expect(tooDeep(lines, 'x.yaml')).toEqual([{ file: 'x.yaml', line: 65, col: 65 }]);
  });

  it('lists under keys at the keys\' own column count as levels too', () => {
    let text = '';
    for (let i = 0; i < 200; i++) text += `${'  '.repeat(i)}a:\n${'  '.repeat(i)}- `.replace(/- $/, '-\n');
    // Each step is a map then a list at the same column: 64 levels are reached within 33 steps.
    const at = tooDeep(text, 'x.yaml');
    expect(at).toHaveLength(1);
    expect(at![0]!.line).toBeLessThanOrEqual(66);
  });

  it('flow inside block inside a document counts both', () => {
    const text = `version: 1\nnetworks:\n  a:\n    subnets: ${'['.repeat(70)}${']'.repeat(70)}\n`;
    // Three block levels (root, networks, a) + the subnets key's value: the 62nd "[" is level 65.
    expect(tooDeep(text, 'x.yaml')).toEqual([{ file: 'x.yaml', line: 4, col: 14 + 61 }]);
  });

  it('64 levels pass the limit; 65 do not', () => {
    notTooDeep(deepJson(63), 'x.json');
    notTooDeep(deepJson(63), 'x.yaml');
    expect(tooDeep(deepJson(64), 'x.json')).toHaveLength(1);
    expect(tooDeep(deepJson(64), 'x.yaml')).toHaveLength(1);
  });

  it('brackets inside quotes, comments and block scalars are text, not nesting', () => {
    const brackets = '['.repeat(3000);
    notTooDeep(`{"version":1,"name":"${brackets}"}`, 'x.json');
    notTooDeep(`version: 1\nname: "${brackets}"\n`);
    notTooDeep(`version: 1\nname: '${brackets}'\n`);
    notTooDeep(`version: 1 # ${brackets}\n`);
    notTooDeep(`version: 1\nname: |\n  ${brackets}\n  ${brackets}\n`);
    notTooDeep(`version: 1\nname: x${brackets}\n`);
  });

  it('a block scalar\'s text at a shallow column does not reset the count of the maps around it', () => {
    let text = '';
    for (let i = 0; i < 70; i++) text += i === 40 ? `${' '.repeat(i)}note: |\n${' '.repeat(i + 2)}text\n${' '.repeat(i)}a:\n` : `${' '.repeat(i)}a:\n`;
    expect(tooDeep(text, 'x.yaml')).toEqual([{ file: 'x.yaml', line: 67, col: 65 }]);
  });

  it('a string that ends on a later line does not hide the nesting after it', () => {
    const text = `version: 1\nname: "x\n # "${'['.repeat(100)}\n`;
    expect(tooDeep(text, 'x.yaml')).toHaveLength(1);
    const closes = `version: 1\nname: "${']'.repeat(100)}"\nx: ${'['.repeat(100)}\n`;
    expect(tooDeep(closes, 'x.yaml')).toHaveLength(1);
  });
});

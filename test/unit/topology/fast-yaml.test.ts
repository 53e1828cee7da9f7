/**
 * The plain-YAML reader on the texts it exists for (the generated large topology, the example
 * topologies) and on the type rules of YAML 1.2's core schema as js-yaml applies them; the
 * random texts are in test/property/topology/fast-yaml.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { generateLarge } from '../../../scripts/gen-large.js';
import { readPlainYaml } from '../../../src/topology/fast-yaml.js';

const jsYamlValue = (text: string): unknown => jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, json: false });

describe('readPlainYaml', () => {
  it('reads the generated large topology itself, to js-yaml\'s value', () => {
    const text = generateLarge(2_000);
    const value = readPlainYaml(text);
    expect(value).toBeDefined();
    expect(JSON.stringify(value)).toBe(JSON.stringify(jsYamlValue(text)));
  });

  it('reads most example topologies, each to js-yaml\'s value', () => {
    const files = readdirSync('topologies').filter((f) => f.endsWith('.yaml'));
    let read = 0;
    for (const f of files) {
      const text = readFileSync(`topologies/${f}`, 'utf8');
      const value = readPlainYaml(text);
      if (value === undefined) continue;
      read++;
      expect(JSON.stringify(value), f).toBe(JSON.stringify(jsYamlValue(text)));
    }
    expect(read).toBeGreaterThan(files.length / 2);
  });

  it('types plain scalars by the core schema: YAML 1.1 words are text, numbers and null as js-yaml reads them', () => {
    const text = 'a: [yes, no, on, off, y, True, FALSE, ~, null, Null, 0o17, 0x1F, 1e3, -0, .inf, -.Inf, .nan, 1_000, 0755, +1, "1", \'~\', 10.0.0.0/24]\n';
    const value = readPlainYaml(text) as { a: unknown[] };
    expect(value.a).toEqual(['yes', 'no', 'on', 'off', 'y', true, false, null, null, null, 15, 31, 1000, 0, Infinity, -Infinity, NaN, ...(jsYamlValue('[1_000, 0755, +1]') as unknown[]), '1', '~', '10.0.0.0/24']);
    // js-yaml's int reads -0 as 0; so must this reader.
    expect(Object.is(value.a[13], jsYamlValue('-0'))).toBe(true);
  });

  it('reads block lists at the key\'s column or deeper, compact maps in lists, comments and blank lines', () => {
    const text = [
      '# head', 'instances:', '  vm-1:', '    ports:', '    - subnet: s1   # inline', '      security_groups:', '        - web', '', '        - ssh', '    services: [tcp/80, "tcp/443"]',
      '  vm-2: { ports: [s2], description: \'it\'\'s #2\' }', 'other:', '-   x: 1', '    y: {}', '-', '- []',
    ].join('\n');
    const value = readPlainYaml(text);
    expect(value).toEqual(jsYamlValue(text));
    expect(value).toEqual({
      instances: { 'vm-1': { ports: [{ subnet: 's1', security_groups: ['web', 'ssh'] }], services: ['tcp/80', 'tcp/443'] }, 'vm-2': { ports: ['s2'], description: "it's #2" } },
      other: [{ x: 1, y: {} }, null, []],
    });
  });

  it.each([
    ['anchors and aliases', 'a: &x 1\nb: *x\n'],
    ['tags', 'a: !!str 1\n'],
    ['block scalars', 'a: |\n  text\n'],
    ['a plain scalar over two lines', 'a: one\n  two\n'],
    ['a flow list over two lines', 'a: [1,\n  2]\n'],
    ['duplicate keys', 'a: 1\na: 2\n'],
    ['keys that are not text', '1: a\n'],
    ['__proto__', '__proto__: {}\n'],
    ['a tab', 'a:\t1\n'],
    ['a document marker', '---\na: 1\n'],
    ['a list as the document', '- a\n'],
    ['an empty document', '# nothing\n'],
    ['CRLF line ends', 'a: 1\r\nb: 2\r\n'],
    ['a flow list closed by a brace', 'a: [1, 2}\n'],
    ['a flow map closed by a bracket', 'a: {b: 1, c: 2]\n'],
    ['a flow list with a trailing comma', 'a: [1, 2, ]\n'],
    ['a flow list with an empty entry', 'a: [1, , 2]\n'],
  ])('gives way to js-yaml on %s', (_, text) => {
    expect(readPlainYaml(text)).toBeUndefined();
  });
});

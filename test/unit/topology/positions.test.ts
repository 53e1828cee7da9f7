/**
 * Every issue has a line and a column, also where the text is unusual: lone CR line endings
 * (old Mac files: YAML 1.2 counts CR as a line break), CRLF, a byte-order mark before JSON or
 * YAML (JSON.parse refused it), alias errors and empty documents (their fixtures are in
 * test/fixtures/invalid, checked by invalid-files.test.ts; here their columns).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../../src/topology/load.js';

const fixture = (name: string) => readFileSync(`test/fixtures/invalid/${name}`, 'utf8');

function places(text: string, file: string) {
  const result = parseTopology(text, file);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.issues.map((i) => ({ code: i.code, line: i.line, col: i.col }));
}

describe('issue positions', () => {
  it.each(['three-errors.yaml', 'yaml-syntax.yaml', 'unknown-port-key.yaml', 'duplicate-subnet-name.yaml', 'alias-unresolved.yaml'])('%s: CR-only and CRLF line endings give the same lines and columns as LF', (name) => {
    const lf = fixture(name);
    const expected = places(lf, name);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.every((p) => p.line !== undefined && p.col !== undefined)).toBe(true);
    expect(places(lf.replace(/\n/g, '\r'), name)).toEqual(expected);
    expect(places(lf.replace(/\n/g, '\r\n'), name)).toEqual(expected);
  });

  it('a CR-only file that is valid loads', () => {
    const text = readFileSync('topologies/three-tier.yaml', 'utf8').replace(/\n/g, '\r');
    expect(parseTopology(text, 'three-tier.yaml').ok).toBe(true);
  });

  it('a .json file with a byte-order mark loads like the same file without one, and like the same text as YAML', () => {
    const json = JSON.stringify({ version: 1, networks: { app: { subnets: { web: { cidr: '10.0.0.0/24' } } } } }, null, 2);
    for (const file of ['x.json', 'x.yaml']) {
      const result = parseTopology(`\uFEFF${json}`, file);
      expect(result.ok ? [...result.cloud.subnets.keys()] : result.issues).toEqual(['web']);
    }
  });

  it('issues of a file with a byte-order mark are where they are without it', () => {
    const json = JSON.stringify({ version: 1, netwroks: {} }, null, 2);
    for (const file of ['x.json', 'x.yaml']) {
      expect(places(`\uFEFF${json}`, file)).toEqual(places(json, file));
      expect(places(`\uFEFF${json}`, file)).toEqual([{ code: 'unknown-key', line: 3, col: 3 }]);
    }
    expect(places('\uFEFF{"version": 1,}', 'x.json')).toEqual(places('{"version": 1,}', 'x.json'));
  });

  it('alias errors point at the alias; empty and comment-only documents at their start', () => {
    expect(places(fixture('alias-unresolved.yaml'), 'a.yaml')).toEqual([{ code: 'yaml-aliases', line: 6, col: 12 }]);
    // The first alias whose anchored node holds aliases itself: the one that multiplies.
    expect(places(fixture('alias-bomb.yaml'), 'b.yaml')).toEqual([{ code: 'yaml-aliases', line: 5, col: 8 }]);
    expect(places('', 'e.yaml')).toEqual([{ code: 'not-a-map', line: 1, col: 1 }]);
    expect(places('# nothing\n\n# at all\n', 'c.yaml')).toEqual([{ code: 'not-a-map', line: 1, col: 1 }]);
    expect(places('', 'e.json')).toEqual([{ code: 'json-syntax', line: 1, col: 1 }]);
  });
});

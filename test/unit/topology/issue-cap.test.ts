/**
 * A failed load lists at most MAX_ISSUES issues (errors first, each kind in file order) and
 * counts the rest; `vnet validate` prints them and says how many more there are. 1,000 equal
 * subnets printed 499,502 lines (68 MB) before.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../../src/cli/io.js';
import { runValidate } from '../../../src/cli/validate.js';
import { MAX_ISSUES, parseTopology } from '../../../src/topology/load.js';

const equalSubnets = (n: number) =>
  `version: 1\nnetworks:\n  n:\n    subnets:\n${Array.from({ length: n }, (_, i) => `      s${i + 1}: {cidr: 10.0.0.0/24}\n`).join('')}`;

const dir = mkdtempSync(join(tmpdir(), 'vnet-cap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('issue cap', () => {
  it('is 100', () => expect(MAX_ISSUES).toBe(100));

  it('1,000 equal subnets: the first 100 errors in file order, 899 counted', () => {
    const result = parseTopology(equalSubnets(1000), 'x.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path[3])).toEqual(Array.from({ length: 100 }, (_, i) => `s${i + 2}`));
    expect(result.omitted).toEqual({ errors: 899, warnings: 0 });
  });

  it('exactly 100 issues: all listed, nothing omitted', () => {
    const result = parseTopology(equalSubnets(101), 'x.yaml');
    expect(result.ok ? 0 : result.issues.length).toBe(100);
    expect(result.ok ? undefined : result.omitted).toBeUndefined();
  });

  it('errors come before warnings when the list is cut', () => {
    // 150 subnets with host bits set (a warning each), then one error at the end of the file.
    const subnets = Array.from({ length: 150 }, (_, i) => `      s${i}: {cidr: 10.${i}.0.5/24}\n`).join('');
    const text = `version: 1\nnetworks:\n  n:\n    subnets:\n${subnets}instances:\n  vm: {ports: [nowhere]}\n`;
    const result = parseTopology(text, 'x.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.filter((i) => i.severity === 'error').map((i) => i.path.join('.'))).toEqual(['instances.vm.ports.0']);
    expect(result.issues).toHaveLength(100);
    expect(result.omitted).toEqual({ errors: 0, warnings: 51 });
    // Still in file order: the warnings, then the error on the last line.
    expect(result.issues[99]!.severity).toBe('error');
  });

  it('vnet validate prints 100 errors, how many more there are, and the total', () => {
    const file = join(dir, 'same.yaml');
    writeFileSync(file, equalSubnets(1000));
    const io = memoryIo();
    expect(runValidate([file], io)).toBe(1);
    expect(io.stderr).toHaveLength(102);
    expect(io.stderr.slice(0, 100).every((l) => l.startsWith('error: ') && l.includes('overlaps subnet s1'))).toBe(true);
    expect(io.stderr[100]).toMatch(/and 899 more issues/);
    expect(io.stderr[101]).toBe(`${file}: 999 errors`);
  });
});

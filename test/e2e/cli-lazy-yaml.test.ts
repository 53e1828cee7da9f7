/**
 * The built CLI evaluates `yaml`, the parser that keeps positions, only when something needs a
 * position (scripts/build.mjs's lazy-yaml plugin): a clean `vnet validate` must not run a line of
 * it, a file with an issue must (to point at the line). What ran is read from V8's own coverage
 * (NODE_V8_COVERAGE), each executed function mapped back to its source through the bundle's map.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildDist } from '../global-setup.js';

const BUNDLE = resolve('dist/cli/load.cjs');
let dir: string;

interface Coverage {
  result: { url: string; functions: { ranges: { startOffset: number; count: number }[] }[] }[];
}

/** The packages under node_modules whose functions ran in load.cjs while `vnet validate file` ran, and its exit status. */
function packagesRun(file: string): { status: number | null; stderr: string; packages: Set<string> } {
  const coverage = mkdtempSync(join(dir, 'coverage-'));
  const r = spawnSync(process.execPath, ['dist/vnet.cjs', 'validate', file], { encoding: 'utf8', env: { ...process.env, NODE_V8_COVERAGE: coverage }, timeout: 20_000 });
  const source = readFileSync(BUNDLE, 'utf8');
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const map = new SourceMap(JSON.parse(readFileSync(`${BUNDLE}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
  const packages = new Set<string>();
  for (const f of readdirSync(coverage)) {
    const { result } = JSON.parse(readFileSync(join(coverage, f), 'utf8')) as Coverage;
    for (const script of result.filter((s) => s.url.endsWith('/dist/cli/load.cjs'))) {
      for (const fn of script.functions) {
        const { startOffset, count } = fn.ranges[0]!;
        if (count === 0) continue;
        let line = 0;
        while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= startOffset) line++;
        const original = map.findEntry(line, startOffset - lineStarts[line]!) as { originalSource?: string };
        const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(original.originalSource ?? '')?.[1];
        if (pkg) packages.add(pkg);
      }
    }
  }
  return { status: r.status, stderr: r.stderr, packages };
}

beforeAll(() => {
  if (!inject('vnetBuilt')) buildDist();
  dir = mkdtempSync(join(tmpdir(), 'vnet-lazy-yaml-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the built CLI loads the positioned YAML parser only when an issue needs a position', () => {
  it('a clean validate runs js-yaml and valibot but not one function of yaml', () => {
    const r = packagesRun('topologies/three-tier.yaml');
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.packages).toContain('js-yaml');
    expect(r.packages).toContain('valibot');
    expect(r.packages).not.toContain('yaml');
  });

  it('an issue in a file runs yaml, and the issue still names its line and column', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nnetworks:\n  - name: a\n');
    const r = packagesRun(bad);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bad}:3:3 networks: expected a map, got a list`);
    expect(r.packages).toContain('yaml');
  });
});

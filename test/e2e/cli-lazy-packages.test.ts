/**
 * The built CLI evaluates the packages it seldom needs only when it needs them (scripts/build.mjs's
 * lazy-packages plugin): `yaml`, the parser that keeps positions, when an issue needs a line;
 * `graphology` when a cloud has islands to name. A clean `vnet validate` or `trace` must not run a
 * line of either. What ran is read from V8's own coverage (NODE_V8_COVERAGE), each executed
 * function mapped back to its source through its bundle's source map (the lazy packages are
 * bundles of their own, dist/cli/yaml.cjs and graphology.cjs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildDist } from '../global-setup.js';

let dir: string;

interface Coverage {
  result: { url: string; functions: { ranges: { startOffset: number; count: number }[] }[] }[];
}

/** A built script's executed offsets mapped to the package under node_modules they come from. */
function packageLocator(file: string): (offset: number) => string | undefined {
  const source = readFileSync(file, 'utf8');
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
  return (offset) => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= offset) line++;
    const original = map.findEntry(line, offset - lineStarts[line]!) as { originalSource?: string };
    return /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(original.originalSource ?? '')?.[1];
  };
}

/** The packages under node_modules whose functions ran in the CLI's bundles (dist/cli/*.cjs) while `vnet ...args` ran, and its output. */
function packagesRun(args: readonly string[]): { status: number | null; stdout: string; stderr: string; packages: Set<string> } {
  const coverage = mkdtempSync(join(dir, 'coverage-'));
  const r = spawnSync(process.execPath, ['dist/vnet.cjs', ...args], { encoding: 'utf8', env: { ...process.env, NODE_V8_COVERAGE: coverage }, timeout: 20_000 });
  const cli = pathToFileURL(resolve('dist/cli')).href;
  const packages = new Set<string>();
  for (const f of readdirSync(coverage)) {
    const { result } = JSON.parse(readFileSync(join(coverage, f), 'utf8')) as Coverage;
    for (const script of result.filter((s) => s.url.startsWith(`${cli}/`) && s.url.endsWith('.cjs'))) {
      const locate = packageLocator(fileURLToPath(script.url));
      for (const fn of script.functions) {
        const { startOffset, count } = fn.ranges[0]!;
        const pkg = count > 0 ? locate(startOffset) : undefined;
        if (pkg) packages.add(pkg);
      }
    }
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, packages };
}

beforeAll(() => {
  if (!inject('vnetBuilt')) buildDist();
  dir = mkdtempSync(join(tmpdir(), 'vnet-lazy-packages-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the built CLI loads the packages it seldom needs only when it needs them', () => {
  it('a clean validate runs js-yaml and valibot but not one function of yaml or graphology', () => {
    const r = packagesRun(['validate', 'topologies/three-tier.yaml']);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.packages).toContain('js-yaml');
    expect(r.packages).toContain('valibot');
    expect(r.packages).not.toContain('yaml');
    expect(r.packages).not.toContain('graphology');
  });

  it('a clean trace runs neither yaml nor graphology', () => {
    const r = packagesRun(['trace', 'topologies/three-tier.yaml', '--from', 'web-1', '--to', 'db-1', '--port', '5432']);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toContain('verdict: delivered');
    expect(r.packages).toContain('js-yaml');
    expect(r.packages).not.toContain('yaml');
    expect(r.packages).not.toContain('graphology');
  });

  it('an issue in a file runs yaml, and the issue still names its line and column', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nnetworks:\n  - name: a\n');
    const r = packagesRun(['validate', bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bad}:3:3 networks: expected a map, got a list`);
    expect(r.packages).toContain('yaml');
  });

  it('a cloud with an island runs graphology to name it', () => {
    const island = join(dir, 'island.yaml');
    writeFileSync(island, ['version: 1', 'networks:', '  lan: { subnets: { lan-v4: { cidr: 192.168.10.0/24 } } }', '  far: { subnets: { far-v4: { cidr: 192.168.20.0/24 } } }', 'instances:', '  alice: { ports: [lan-v4] }', '  bob: { ports: [far-v4] }', ''].join('\n'));
    const r = packagesRun(['validate', island]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('networks.far: instances bob on networks far cannot reach the rest of the cloud: no router joins them to it');
    expect(r.packages).toContain('graphology');
  });
});

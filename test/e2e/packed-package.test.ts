// The package as a user gets it: `npm pack` the built repository, install the tarball into a
// fresh strict TypeScript project (offline: vnet's dependencies are copied from this repository's
// node_modules, the user's dev tools linked), then type-check and run a user's own test that
// imports `vnet` and `vnet/testing`. It fails when dist/ ships no declarations (TS7016). Then the
// repository's examples/ (property tests with vnet/vitest's matchers, a tests file with intents)
// type-check and pass in that project, as a user's CI would run them.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const modules = join(repo, 'node_modules');
/** vnet's runtime dependencies and theirs (npm ls --omit=dev --all): copied, so npm runs nothing in this repository's tree. */
const RUNTIME = ['argparse', 'commander', 'events', 'graphology', 'graphology-types', 'ip-num', 'js-yaml', 'netmask', 'valibot', 'ws', 'yaml'];
/** What the user's project has as dev dependencies. */
const DEV = ['typescript', 'fast-check', '@types/node', 'vitest'];
/** The files of examples/ a user's project holds (its package.json names the tarball instead). */
const EXAMPLES = ['cloud.yaml', 'network-tests.yaml', 'shop.test.ts', 'tsconfig.json'];

const USER_TEST = `
import { loadTopology, Simulator, resolveDestination, resolveSource, type VerdictKind } from 'vnet';
import { arbitraries } from 'vnet/testing';
import fc from 'fast-check';

const loaded = loadTopology(process.argv[2]!);
if (!loaded.ok) throw new Error('three-tier does not load');
const cloud = loaded.cloud;
const sim = new Simulator(cloud);
function verdict(from: string, to: string, port: number): VerdictKind {
  const src = resolveSource(cloud, from);
  const dst = resolveDestination(cloud, to);
  if (!src.ok || !dst.ok) throw new Error('unknown endpoint');
  return sim.probe({ from: src.value.node, to: dst.value, proto: 'tcp', port }).verdict;
}
const db = verdict('web-1', 'db-1', 5432);
if (db !== 'delivered') throw new Error('web-1 -> db-1 tcp/5432: ' + db);
// Any port but 5432 and 22 from web-1 to db-1 is stopped somewhere: a property over vnet/testing's ports.
fc.assert(fc.property(arbitraries.port(), (port: number) => port === 5432 || port === 22 || verdict('web-1', 'db-1', port) !== 'delivered'), { numRuns: 20 });
console.log('user test passed: ' + db);
`;

let dir = '';
let project = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vnet-packed-'));
  // dist/ is built by the global setup; --ignore-scripts keeps `prepare` from rebuilding it under other tests.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: repo, encoding: 'utf8' })) as { filename: string }[];
  const tarball = join(dir, packed[0]!.filename);
  project = join(dir, 'user');
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], outDir: 'out' },
    include: ['user.test.ts'],
  }));
  writeFileSync(join(project, 'user.test.ts'), USER_TEST);
  for (const name of RUNTIME) cpSync(join(modules, name), join(project, 'node_modules', name), { recursive: true });
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
  // Linked after the install, which would prune what the project's package.json does not name.
  for (const name of DEV) symlinkSync(join(modules, name), join(project, 'node_modules', name), 'dir');
  mkdirSync(join(project, 'examples'));
  for (const f of EXAMPLES) cpSync(join(repo, 'examples', f), join(project, 'examples', f));
}, 120_000);

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('the packed vnet in a fresh strict TypeScript project', () => {
  it('installs with types for vnet and vnet/testing in its exports', () => {
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules', 'vnet', 'package.json'), 'utf8')) as { exports: Record<string, { types?: string }> };
    for (const entry of ['.', './testing']) {
      const types = pkg.exports[entry]?.types;
      expect(types, entry).toMatch(/\.d\.ts$/);
      expect(() => readFileSync(join(project, 'node_modules', 'vnet', types!)), `${entry}: ${types}`).not.toThrow();
    }
  });

  it('installs with types for vnet/vitest too', () => {
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules', 'vnet', 'package.json'), 'utf8')) as { exports: Record<string, { types?: string }> };
    expect(pkg.exports['./vitest']?.types).toMatch(/\.d\.ts$/);
  });

  it('installs the vnet command, which loads each command bundle from the package', () => {
    // npm's link to package.json's bin, as a user's shell runs it (the #! line, not node).
    const vnet = (...args: string[]) => spawnSync(join(project, 'node_modules', '.bin', 'vnet'), args, { cwd: project, encoding: 'utf8' });
    const threeTier = join(project, 'node_modules', 'vnet', 'topologies', 'three-tier.yaml');
    const version = vnet('--version');
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);
    const validate = vnet('validate', threeTier);
    expect(validate.stdout).toMatch(/three-tier\.yaml: ok \(/);
    expect(validate.status).toBe(0);
    const trace = vnet('trace', threeTier, '--from', 'web-1', '--to', 'db-1', '--port', '5432', '--json');
    expect(trace.status, trace.stderr).toBe(0);
    expect((JSON.parse(trace.stdout) as { verdict: string }).verdict).toBe('delivered');
    const script = vnet('realize', threeTier, '--script');
    expect(script.status, script.stderr).toBe(0);
    expect(script.stdout).toMatch(/ip netns add/);
    // The server bundle loads and reports the missing file (exit 1), with no stack trace.
    const serve = vnet('serve', join(project, 'missing.yaml'));
    expect(serve.status).toBe(1);
    expect(serve.stderr).toMatch(/missing\.yaml/);
    expect(serve.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("type-checks the user's test with strict tsc and runs it with node", () => {
    const tsc = spawnSync(process.execPath, [join(modules, 'typescript', 'bin', 'tsc'), '-p', project], { cwd: project, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const run = spawnSync(process.execPath, [join(project, 'out', 'user.test.js'), join(repo, 'topologies', 'three-tier.yaml')], { cwd: project, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('user test passed: delivered');
    expect(run.status).toBe(0);
  }, 60_000);

  it("runs examples/: strict tsc, the property tests under vitest, and vnet test's probes and intents", () => {
    const examples = join(project, 'examples');
    const tsc = spawnSync(process.execPath, [join(modules, 'typescript', 'bin', 'tsc'), '-p', examples], { cwd: examples, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    // The outer vitest's variables would make the inner one think it is a worker.
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'TEST')), NO_COLOR: '1' };
    const vitest = spawnSync(process.execPath, [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', examples, '--reporter', 'dot'], { cwd: examples, encoding: 'utf8', env });
    expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
    expect(vitest.stdout).toMatch(/Tests\s+4 passed \(4\)/);
    const cli = spawnSync(process.execPath, [join(project, 'node_modules', 'vnet', 'dist', 'vnet.cjs'), 'test', 'cloud.yaml', 'network-tests.yaml'], { cwd: examples, encoding: 'utf8' });
    expect(cli.stdout.trim()).toMatch(/7 tests: 7 passed, 0 failed$/);
    expect(cli.status).toBe(0);
  }, 90_000);
});

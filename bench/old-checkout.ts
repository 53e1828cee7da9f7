/**
 * Running one benchmark file against this checkout and an older one, in the same run
 * (engine-old.bench.ts, firewall-old.bench.ts): the file is bundled twice, its ../src imports
 * reaching each checkout's code (or only the modules under test, with `oldOnly`), and the two
 * bundles run as separate processes, alternately, so load on the machine hits both alike.
 * The older checkout is a commit (exported and kept under node_modules/.cache/vnet/bench-old)
 * or a folder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { median } from './measure.js';

export interface Bundle {
  /** The benchmark file (e.g. bench/engine-harness.ts), bundled as if it sat in `root`/bench. */
  readonly entry: string;
  readonly root: string;
  readonly out: string;
  /**
   * When set, only imports whose path ends with one of these (e.g. `firewall/compiled-matcher.js`)
   * come from `root`; everything else (workload generators, helpers) from this checkout, so both
   * bundles measure the same work.
   */
  readonly oldOnly?: readonly string[];
}

/**
 * The older checkout named by `variable`, checked to hold `expect` (a file every vnet checkout
 * has): a folder, or a commit of this repository (exported on first use, see commitCheckout).
 */
export function oldCheckout(variable: string, expect: string): string | { skipped: string } {
  const value = process.env[variable];
  if (value === undefined) return { skipped: `set ${variable} to an older commit (e.g. ${variable}=f7e8b19) or checkout` };
  const root = existsSync(value) ? resolve(value) : commitCheckout(variable, value, false);
  if (!existsSync(join(root, expect))) throw new Error(`${variable}=${value}: no ${expect} there (expected a vnet checkout)`);
  return root;
}

/**
 * An older build's dist/vnet.cjs named by `variable`: the file itself, or a commit of this
 * repository, exported and built on first use (commitCheckout).
 */
export function oldBuild(variable: string): string | undefined {
  const value = process.env[variable];
  if (value === undefined) return undefined;
  if (existsSync(value)) return resolve(value);
  const bin = join(commitCheckout(variable, value, true), 'dist/vnet.cjs');
  if (!existsSync(bin)) throw new Error(`${variable}=${value}: its build wrote no dist/vnet.cjs`);
  return bin;
}

/** Where exported commits live: outside the work tree, beside the build's other caches. */
const EXPORTS = 'node_modules/.cache/vnet/bench-old';

/**
 * Commit `ref` of this repository as a folder of its own (git archive into EXPORTS/<sha>), kept
 * for the next run. Its node_modules links this checkout's packages one by one but not their
 * .cache, so the old build's incremental type-check state never meets this one's. `built` also
 * runs its `node scripts/build.mjs` once. A folder left half-made by an interrupted run is
 * made again (a marker file is written last).
 */
export function commitCheckout(variable: string, ref: string, built: boolean): string {
  const git = (args: readonly string[]): string => {
    const r = spawnSync('git', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.error !== undefined || r.status !== 0) throw new Error(`${variable}=${ref}: neither a file here nor a commit of this repository (git ${args.join(' ')}: ${(r.stderr ?? '').trim() || r.error?.message})`);
    return r.stdout;
  };
  const sha = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim();
  const dir = resolve(EXPORTS, sha);
  const marker = (name: string): string => join(dir, `.vnet-bench-${name}`);
  if (!existsSync(marker('exported'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    const tar = spawnSync('tar', ['-x', '-C', dir], { input: execFileSync('git', ['archive', sha], { maxBuffer: 256 * 1024 * 1024 }) });
    if (tar.status !== 0) throw new Error(`${variable}=${ref}: could not unpack git archive ${sha} into ${dir}: ${tar.stderr.toString().trim()}`);
    for (const entry of readdirSync('node_modules')) if (entry !== '.cache') symlinkSync(resolve('node_modules', entry), join(dir, 'node_modules', entry));
    writeFileSync(marker('exported'), `${sha}\n`);
  }
  if (built && !existsSync(marker('built'))) {
    console.error(`building ${ref} (${sha.slice(0, 10)}) in ${dir} ...`);
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${variable}=${ref}: node scripts/build.mjs failed in ${dir} (exit ${r.status ?? r.signal}):\n${r.stderr.slice(0, 2000)}`);
    writeFileSync(marker('built'), `${sha}\n`);
  }
  return dir;
}

export async function bundle(b: Bundle): Promise<void> {
  // Loaded at run time: esbuild is a dev dependency with a native binary, never bundled.
  const esbuild = 'esbuild';
  const { build } = (await import(esbuild)) as { build: (o: object) => Promise<unknown> };
  const only = b.oldOnly;
  const here = resolve('.');
  const root = resolve(b.root);
  const plugins = only === undefined ? [] : [{
    name: 'old-modules-only',
    setup(on: { onResolve: (o: { filter: RegExp }, f: (a: { path: string; importer: string }) => { path: string } | undefined) => void }): void {
      // The benchmark's own imports of src/ (only it, in bench/, writes ../src/): this
      // checkout's, except the modules under test. Their own imports stay in their checkout.
      on.onResolve({ filter: /^\.\.\/src\// }, (a) => {
        const rel = a.path.slice('../'.length).replace(/\.js$/, '.ts');
        return { path: join(only.some((m) => a.path.endsWith(m)) ? root : here, rel) };
      });
    },
  }];
  await build({
    stdin: { contents: readFileSync(b.entry, 'utf8'), resolveDir: join(only === undefined ? root : here, 'bench'), sourcefile: basename(b.entry), loader: 'ts' },
    outfile: b.out, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error', nodePaths: [resolve('node_modules')], plugins,
    banner: { js: "import { createRequire as __vnetRequire } from 'node:module'; const require = __vnetRequire(import.meta.url);" },
  });
}

/** Runs a bundle as a program with `env` set; its last output line is its JSON figures. */
export function runBundle<T>(file: string, args: readonly string[], env: Record<string, string>, nodeFlags: readonly string[] = []): T {
  const r = spawnSync(process.execPath, [...nodeFlags, file, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${file} exited ${r.status ?? r.signal}:\n${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

/**
 * The benchmark file `entry` run against this checkout and `oldRoot`: bundled for each (with
 * `oldOnly` as in Bundle), then `rounds` runs of each bundle, alternated; each run's last output
 * line is its JSON figures. The bundles live in a temporary folder removed afterwards.
 */
export async function runBothCheckouts<T>(o: { entry: string; oldRoot: string; oldOnly?: readonly string[]; rounds: number; args?: readonly string[]; env: Record<string, string>; nodeFlags?: readonly string[] }): Promise<Record<'new' | 'old', T[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'vnet-bench-old-'));
  try {
    const files = { new: join(dir, 'new.mjs'), old: join(dir, 'old.mjs') };
    await bundle({ entry: o.entry, root: '.', out: files.new, oldOnly: o.oldOnly });
    await bundle({ entry: o.entry, root: o.oldRoot, out: files.old, oldOnly: o.oldOnly });
    return alternate(o.rounds, (which) => runBundle<T>(files[which], o.args ?? [], o.env, o.nodeFlags));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `rounds` runs of each, alternating which goes first, so a load that comes and goes hits both. */
export function alternate<T>(rounds: number, run: (which: 'new' | 'old') => T): Record<'new' | 'old', T[]> {
  const runs: Record<'new' | 'old', T[]> = { new: [], old: [] };
  for (let i = 0; i < rounds; i++) for (const which of i % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const)) runs[which].push(run(which));
  return runs;
}

/**
 * The median of each key for both, and the ratio that reads "above 1 is faster" (new/old for a
 * rate, old/new for a time or a slowdown: keys ending with one of `lowerIsBetter`).
 */
export function compareMedians<K extends string>(runs: Record<'new' | 'old', readonly Readonly<Record<K, number>>[]>, keys: readonly K[], lowerIsBetter: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) {
    const n = median(runs.new.map((f) => f[k]!));
    const o = median(runs.old.map((f) => f[k]!));
    const faster = lowerIsBetter.some((s) => k.endsWith(s)) ? o / n : n / o;
    out[`${k} new`] = Math.round(n * 100) / 100;
    out[`${k} old`] = Math.round(o * 100) / 100;
    out[`${k} new vs old (>1 faster)`] = Math.round(faster * 1000) / 1000;
  }
  return out;
}

/**
 * Running one benchmark file against this checkout and an older one, in the same run
 * (engine-old.bench.ts, firewall-old.bench.ts): the file is bundled twice, its ../src imports
 * reaching each checkout's code (or only the modules under test, with `oldOnly`), and the two
 * bundles run as separate processes, alternately, so load on the machine hits both alike.
 * An older checkout: `git worktree add /tmp/old <commit>`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

/** The older checkout named by `variable`, checked to hold `expect` (a file every vnet checkout has). */
export function oldCheckout(variable: string, expect: string): string | { skipped: string } {
  const root = process.env[variable];
  if (root === undefined) return { skipped: `set ${variable} to an older checkout (git worktree add /tmp/old <commit>)` };
  if (!existsSync(join(root, expect))) throw new Error(`${variable}=${root}: no ${expect} there (expected a vnet checkout)`);
  return resolve(root);
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

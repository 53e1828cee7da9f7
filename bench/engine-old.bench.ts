/**
 * The engine against an older build, in the same run (`VNET_BENCH_OLD_SRC=/path/to/old/checkout
 * npm run bench -- engine-old`): engine-harness.ts is bundled once against this checkout's
 * src/ and once against the older checkout's (its own node_modules, or this one's), and the
 * two run as separate processes, alternately, ROUNDS times each, so load on the machine hits
 * both alike. Prints each figure's median for both and the ratio new / old (for µs per trace,
 * old / new: above 1 is faster either way). An older checkout: `git worktree add /tmp/old <commit>`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { HarnessFigures } from './engine-harness.js';
import { median } from './measure.js';

const ROUNDS = Number(process.env.VNET_BENCH_ENGINE_ROUNDS ?? 5);
const TOPOLOGY = 'topologies/three-tier.yaml';

/**
 * Bundles engine-harness.ts as if it sat in `root`/bench, so its ../src imports reach that
 * checkout's engine (packages from its node_modules, else this one's).
 */
async function bundle(out: string, root: string): Promise<void> {
  // Loaded at run time: esbuild is a dev dependency with a native binary, never bundled.
  const esbuild = 'esbuild';
  const { build } = (await import(esbuild)) as { build: (o: object) => Promise<unknown> };
  await build({
    stdin: { contents: readFileSync('bench/engine-harness.ts', 'utf8'), resolveDir: join(root, 'bench'), sourcefile: 'engine-harness.ts', loader: 'ts' },
    outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error', nodePaths: [resolve('node_modules')],
    banner: { js: "import { createRequire as __vnetRequire } from 'node:module'; const require = __vnetRequire(import.meta.url);" },
  });
}

function run(file: string): HarnessFigures {
  const r = spawnSync(process.execPath, [file, TOPOLOGY], { encoding: 'utf8', env: { ...process.env, VNET_ENGINE_HARNESS: '1' }, maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`engine-old: ${file} exited ${r.status ?? r.signal}:\n${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as HarnessFigures;
}

export async function benchEngineOld(): Promise<Record<string, number | string>> {
  const oldRoot = process.env.VNET_BENCH_OLD_SRC;
  if (oldRoot === undefined) return { skipped: 'set VNET_BENCH_OLD_SRC to an older checkout (git worktree add /tmp/old <commit>)' };
  if (!existsSync(join(oldRoot, 'src/engine/simulator.ts'))) throw new Error(`VNET_BENCH_OLD_SRC=${oldRoot}: no src/engine/simulator.ts there (expected a vnet checkout)`);
  const dir = mkdtempSync(join(tmpdir(), 'vnet-engine-old-'));
  try {
    const files = { new: join(dir, 'new.mjs'), old: join(dir, 'old.mjs') };
    await bundle(files.new, resolve('.'));
    await bundle(files.old, resolve(oldRoot));
    const runs: Record<'new' | 'old', HarnessFigures[]> = { new: [], old: [] };
    for (let i = 0; i < ROUNDS; i++) for (const which of i % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const)) runs[which].push(run(files[which]));
    const out: Record<string, number | string> = { rounds: ROUNDS, old: oldRoot };
    const keys: (keyof HarnessFigures)[] = ['offEventsPerS', 'onEventsPerS', 'offPer1kBaseline', 'onPer1kBaseline', 'traceWebDbUs', 'traceClientLbUs'];
    for (const k of keys) {
      const n = median(runs.new.map((f) => f[k]));
      const o = median(runs.old.map((f) => f[k]));
      const faster = k.endsWith('Us') ? o / n : n / o;
      out[`${k} new`] = Math.round(n * 100) / 100;
      out[`${k} old`] = Math.round(o * 100) / 100;
      out[`${k} new vs old (>1 faster)`] = Math.round(faster * 1000) / 1000;
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

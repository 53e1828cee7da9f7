/**
 * The engine against an older build, in the same run (`VNET_BENCH_OLD_SRC=/path/to/old/checkout
 * npm run bench -- engine-old`): engine-harness.ts is bundled once against this checkout's
 * src/ and once against the older checkout's (its own node_modules, or this one's), and the
 * two run as separate processes, alternately, ROUNDS times each, so load on the machine hits
 * both alike. Prints each figure's median for both and the ratio new / old (for µs per trace,
 * old / new: above 1 is faster either way). An older checkout: `git worktree add /tmp/old <commit>`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HarnessFigures } from './engine-harness.js';
import { alternate, bundle, compareMedians, oldCheckout, runBundle } from './old-checkout.js';

const ROUNDS = Number(process.env.VNET_BENCH_ENGINE_ROUNDS ?? 5);
const TOPOLOGY = 'topologies/three-tier.yaml';
const ENTRY = 'bench/engine-harness.ts';

export async function benchEngineOld(): Promise<Record<string, number | string>> {
  const oldRoot = oldCheckout('VNET_BENCH_OLD_SRC', 'src/engine/simulator.ts');
  if (typeof oldRoot !== 'string') return oldRoot;
  const dir = mkdtempSync(join(tmpdir(), 'vnet-engine-old-'));
  try {
    const files = { new: join(dir, 'new.mjs'), old: join(dir, 'old.mjs') };
    await bundle({ entry: ENTRY, root: '.', out: files.new });
    await bundle({ entry: ENTRY, root: oldRoot, out: files.old });
    const runs = alternate(ROUNDS, (which) => runBundle<HarnessFigures>(files[which], [TOPOLOGY], { VNET_ENGINE_HARNESS: '1' }));
    const keys: (keyof HarnessFigures)[] = ['offEventsPerS', 'onEventsPerS', 'offPer1kBaseline', 'onPer1kBaseline', 'traceWebDbUs', 'traceClientLbUs'];
    return { rounds: ROUNDS, old: oldRoot, ...compareMedians(runs, keys, ['Us']) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

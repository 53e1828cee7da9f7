/**
 * The security-group matchers against an older checkout's, in the same run
 * (`VNET_BENCH_OLD_SRC=/path/to/old/checkout npm run bench -- firewall-old`): firewall.bench.ts
 * is bundled twice, once with this checkout's compiled and linear matchers and once with the
 * older checkout's; the rules, packets and measurement are this checkout's in both, so both
 * measure the same work. The two run as separate processes, alternately, ROUNDS times each.
 * Prints, per port size, each figure's median for both and new/old (above 1 is faster: for
 * compile time and the 10 → 10,000 slowdown, old/new). Issue 18's baseline is the matcher
 * before 56bd1bc (e.g. `git worktree add /tmp/old f7e8b19`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alternate, bundle, compareMedians, oldCheckout, runBundle } from './old-checkout.js';

const ROUNDS = Number(process.env.VNET_BENCH_FIREWALL_ROUNDS ?? 3);
const ENTRY = 'bench/firewall.bench.ts';
const UNDER_TEST = ['firewall/compiled-matcher.js', 'firewall/linear-matcher.js'];

export async function benchFirewallOld(): Promise<Record<string, number | string>> {
  const oldRoot = oldCheckout('VNET_BENCH_OLD_SRC', 'src/firewall/compiled-matcher.ts');
  if (typeof oldRoot !== 'string') return oldRoot;
  const dir = mkdtempSync(join(tmpdir(), 'vnet-firewall-old-'));
  try {
    const files = { new: join(dir, 'new.mjs'), old: join(dir, 'old.mjs') };
    await bundle({ entry: ENTRY, root: '.', out: files.new, oldOnly: UNDER_TEST });
    await bundle({ entry: ENTRY, root: oldRoot, out: files.old, oldOnly: UNDER_TEST });
    const runs = alternate(ROUNDS, (which) => runBundle<Record<string, number>>(files[which], [], { VNET_FIREWALL_HARNESS: '1' }, ['--expose-gc']));
    // The figures both report as numbers: rates, compile times, memory, slowdowns.
    const keys = Object.keys(runs.new[0]!).filter((k) => typeof runs.new[0]![k] === 'number' && typeof runs.old[0]![k] === 'number' && !k.endsWith('_share') && !k.endsWith('_over_linear') && !k.startsWith('linear_slowdown'));
    return { rounds: ROUNDS, old: oldRoot, ...compareMedians(runs, keys, ['_ms', '_kb', '_rules']) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

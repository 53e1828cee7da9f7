/**
 * The security-group matchers against an older checkout's, in the same run
 * (`VNET_BENCH_OLD_SRC=<commit or older checkout> npm run bench -- firewall-old`): firewall.bench.ts
 * is bundled twice, once with this checkout's compiled and linear matchers and once with the
 * older checkout's; the rules, packets and measurement are this checkout's in both, so both
 * measure the same work. The two run as separate processes, alternately, ROUNDS times each.
 * Prints, per port size, each figure's median for both and new/old (above 1 is faster: for
 * compile time and the 10 → 10,000 slowdown, old/new). Issue 18's baseline is the matcher
 * before 56bd1bc (`VNET_BENCH_OLD_SRC=f7e8b19`).
 */
import { compareMedians, oldCheckout, runBothCheckouts } from './old-checkout.js';

const ROUNDS = Number(process.env.VNET_BENCH_FIREWALL_ROUNDS ?? 3);
const ENTRY = 'bench/firewall.bench.ts';
const UNDER_TEST = ['firewall/compiled-matcher.js', 'firewall/linear-matcher.js'];

export async function benchFirewallOld(): Promise<Record<string, number | string>> {
  const oldRoot = oldCheckout('VNET_BENCH_OLD_SRC', 'src/firewall/compiled-matcher.ts');
  if (typeof oldRoot !== 'string') return oldRoot;
  const runs = await runBothCheckouts<Record<string, number>>({ entry: ENTRY, oldRoot, oldOnly: UNDER_TEST, rounds: ROUNDS, env: { VNET_FIREWALL_HARNESS: '1' }, nodeFlags: ['--expose-gc'] });
  // The figures both report as numbers: rates, compile times, memory, slowdowns.
  const keys = Object.keys(runs.new[0]!).filter((k) => typeof runs.new[0]![k] === 'number' && typeof runs.old[0]![k] === 'number' && !k.endsWith('_share') && !k.endsWith('_over_linear') && !k.startsWith('linear_slowdown'));
  return { rounds: ROUNDS, old: oldRoot, ...compareMedians(runs, keys, ['_ms', '_kb', '_rules']) };
}

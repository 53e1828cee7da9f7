/**
 * The engine against an older build, in the same run (`VNET_BENCH_OLD_SRC=<commit or older
 * checkout> npm run bench -- engine-old`): engine-harness.ts is bundled once against this checkout's
 * src/ and once against the older checkout's (its own node_modules, or this one's), and the
 * two run as separate processes, alternately, ROUNDS times each, so load on the machine hits
 * both alike. Prints each figure's median for both and the ratio new / old (for µs per trace,
 * old / new: above 1 is faster either way). A commit is exported once (old-checkout.ts).
 */
import type { HarnessFigures } from './engine-harness.js';
import { compareMedians, oldCheckout, runBothCheckouts } from './old-checkout.js';

const ROUNDS = Number(process.env.VNET_BENCH_ENGINE_ROUNDS ?? 5);
const TOPOLOGY = 'topologies/three-tier.yaml';
const ENTRY = 'bench/engine-harness.ts';

export async function benchEngineOld(): Promise<Record<string, number | string>> {
  const oldRoot = oldCheckout('VNET_BENCH_OLD_SRC', 'src/engine/simulator.ts');
  if (typeof oldRoot !== 'string') return oldRoot;
  const runs = await runBothCheckouts<HarnessFigures>({ entry: ENTRY, oldRoot, rounds: ROUNDS, args: [TOPOLOGY], env: { VNET_ENGINE_HARNESS: '1' } });
  const keys: (keyof HarnessFigures)[] = ['offEventsPerS', 'onEventsPerS', 'offPer1kBaseline', 'onPer1kBaseline', 'traceWebDbUs', 'traceClientLbUs'];
  return { rounds: ROUNDS, old: oldRoot, ...compareMedians(runs, keys, ['Us']) };
}

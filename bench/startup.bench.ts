/**
 * CLI start-up (`npm run bench -- startup`): whole-process wall time of `vnet --version`, a
 * `vnet validate` and a `vnet trace` on the three-tier example, each spawned N times
 * interleaved with a bare `node -e 0`, as medians and as the overhead over node in the same
 * run (absolute times move with the machine's load; the overhead is what vnet adds). With
 * VNET_BENCH_OLD=<a commit, or an older build's dist/vnet.cjs> the same commands run on it too,
 * interleaved (a commit is exported and built once, bench/old-checkout.ts).
 */
import { median } from './measure.js';
import { oldBuild } from './old-checkout.js';
import { Spawner, type NodeArgs } from './spawn.js';

const BIN = 'dist/vnet.cjs';
const SMALL = 'topologies/three-tier.yaml';
/** Issue 18's targets: overhead over `node -e 0`, ms. */
const COMMANDS: readonly { name: string; args: readonly string[]; target: number }[] = [
  { name: 'version', args: ['--version'], target: 25 },
  { name: 'validate', args: ['validate', SMALL], target: 50 },
  { name: 'trace', args: ['trace', SMALL, '--from', 'web-1', '--to', 'db-1', '--port', '5432'], target: 70 },
];

export async function benchStartup(): Promise<Record<string, number | string>> {
  const runs = Number(process.env.VNET_BENCH_STARTUP_RUNS ?? 21);
  const old = oldBuild('VNET_BENCH_OLD');
  const lines: [string, NodeArgs][] = [['node', ['-e', '0']]];
  for (const c of COMMANDS) {
    lines.push([c.name, [BIN, ...c.args]]);
    if (old !== undefined) lines.push([`${c.name} (old)`, [old, ...c.args]]);
  }
  const spawner = new Spawner();
  const times = new Map<string, number[]>(lines.map(([k]) => [k, []]));
  try {
    // One warm-up round (file cache), then interleaved rounds so load changes hit every line alike.
    for (const [, args] of lines) spawner.run(args, 0, false);
    for (let i = 0; i < runs; i++) for (const [k, args] of lines) times.get(k)!.push(spawner.run(args, 0, false).ms);
  } finally {
    spawner.dispose();
  }
  const node = median(times.get('node')!);
  const out: Record<string, number | string> = { runs, 'node -e 0 median_ms': round(node) };
  for (const c of COMMANDS) {
    const now = median(times.get(c.name)!) - node;
    out[`${c.name} median_ms`] = round(median(times.get(c.name)!));
    out[`${c.name} over node_ms (target ≤ ${c.target})`] = `${round(now)}${now <= c.target ? '' : '  (over target)'}`;
    if (old !== undefined) out[`${c.name} over node_ms, old build`] = round(median(times.get(`${c.name} (old)`)!) - node);
  }
  return out;
}

const round = (x: number): number => Math.round(x * 10) / 10;

/**
 * Large clouds through the CLI (`npm run bench -- large`): `vnet validate` and a one-shot
 * `vnet trace` between two instances behind different routers, on the generated 10,000- and
 * 100,000-instance clouds (scripts/gen-large.ts), as whole processes: median wall time of a
 * few runs, the median CPU time (user + system: a busy machine inflates wall time, not this) and
 * the peak resident memory. With VNET_BENCH_OLD=<a commit, or an older build's dist/vnet.cjs>
 * the old build runs the same commands beside the new one. Issue 18's targets at 100,000:
 * validate < 5 s, trace < 6 s, peak < 2 GB.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLarge } from '../scripts/gen-large.js';
import { median } from './measure.js';
import { oldBuild } from './old-checkout.js';
import { Spawner, type Run } from './spawn.js';

const BIN = 'dist/vnet.cjs';
const SIZES = [10_000, 100_000];

/** gen-large's name of instance i in a cloud of n, and the first instance on the last subnet (another router than vm-0's). */
const vm = (i: number, n: number): string => `vm-${String(i).padStart(Math.max(5, String(n - 1).length), '0')}`;
const farInstance = (n: number): number => Math.ceil(n / 100) - 1;

export async function benchLarge(): Promise<Record<string, number | string>> {
  const runs = Number(process.env.VNET_BENCH_LARGE_RUNS ?? 3);
  const old = oldBuild('VNET_BENCH_OLD');
  const dir = mkdtempSync(join(tmpdir(), 'vnet-large-'));
  const spawner = new Spawner();
  const out: Record<string, number | string> = { runs };
  try {
    for (const n of SIZES) {
      const file = join(dir, `large-${n}.yaml`);
      writeFileSync(file, generateLarge(n));
      const commands: [string, string[]][] = [
        ['validate', ['validate', file]],
        [`trace ${vm(0, n)} → ${vm(farInstance(n), n)} tcp/80`, ['trace', file, '--from', vm(0, n), '--to', vm(farInstance(n), n), '--port', '80']],
      ];
      for (const [name, args] of commands) {
        const bins = old !== undefined ? [['new', BIN], ['old', old]] : [['new', BIN]];
        const results = new Map<string, Run[]>(bins.map(([k]) => [k!, []]));
        for (let i = 0; i < runs; i++) for (const [k, bin] of bins) results.get(k!)!.push(spawner.run([bin!, ...args]));
        for (const [k, rs] of results) {
          const label = `${n.toLocaleString('en-US')} ${name}${k === 'old' ? ' (old build)' : ''}`;
          out[`${label} median_ms`] = Math.round(median(rs.map((r) => r.ms)));
          out[`${label} median_cpu_ms`] = Math.round(median(rs.map((r) => r.cpuMs)));
          out[`${label} peak_rss_mb`] = Math.max(...rs.map((r) => r.rssMb));
        }
      }
    }
  } finally {
    spawner.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

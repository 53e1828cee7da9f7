/**
 * Randomized conformance at length: `npm run conform:random -- [--seeds N] [--first S] [--keep DIR]`
 * generates N random clouds (test/conformance/random-cloud.ts, seeds S..S+N-1), runs `vnet conform`
 * on each (root, iproute2, nftables) and prints the counts: clouds, probes, agree, expected
 * differences, unexplained. Each unexplained difference is printed with its seed; `--keep DIR`
 * keeps every case's topology and probes files to reproduce one with `vnet conform`. Exit 1 when
 * any difference is unexplained. CI runs a few fixed seeds (test/e2e/conform-random.test.ts).
 */
import { mkdirSync } from 'node:fs';
import { randomCase } from '../test/conformance/random-cloud.js';
import { runCase, type CaseResult } from '../test/conformance/run-case.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const count = Number(option('--seeds', '40'));
const first = Number(option('--first', '1000'));
const keep = process.argv.includes('--keep') ? option('--keep', 'conform-random') : undefined;
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(first) || first < 0) {
  console.error('usage: conform-random [--seeds N (a positive integer)] [--first S (a seed, ≥ 0)] [--keep DIR]');
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('conform-random realizes clouds in network namespaces: run as root');
  process.exit(2);
}
if (keep !== undefined) mkdirSync(keep, { recursive: true });

const results: CaseResult[] = [];
for (let seed = first; seed < first + count; seed++) {
  const r = runCase(randomCase(seed), `vnq${(seed % 1296).toString(36)}`, 'dist/vnet.cjs', keep);
  results.push(r);
  const line = r.error ? `error: ${r.error}` : `${r.probes} probes: ${r.agree} agree, ${r.expected} expected, ${r.differ} unexplained`;
  console.log(`seed ${seed}: ${line} (${(r.ms / 1000).toFixed(1)} s)`);
  for (const d of r.differences) console.log(`  ${JSON.stringify(d)}`);
}
const sum = (f: (r: CaseResult) => number) => results.reduce((a, r) => a + f(r), 0);
const errors = results.filter((r) => r.error).length;
console.log(`\n${results.length} clouds (${errors} could not run), ${sum((r) => r.probes)} probes: ${sum((r) => r.agree)} agree, ${sum((r) => r.expected)} expected differences, ${sum((r) => r.differ)} unexplained; ${(sum((r) => r.ms) / 1000).toFixed(0)} s`);
process.exit(errors || sum((r) => r.differ) ? 1 : 0);

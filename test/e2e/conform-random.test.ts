// Randomized conformance in CI: a few fixed seeds of random clouds (test/conformance/random-cloud.ts:
// SNAT on and off, a router behind static routes, floating IPs and hairpin, random security-group
// rules, ICMP/TCP/UDP probes and the reverse of flows just opened), each run through `vnet conform`.
// Every probe must agree with the kernel or differ for a documented reason. More seeds:
// `npm run conform:random`. Needs root and the namespace tools.
import { expect, it } from 'vitest';
import { randomCase } from '../conformance/random-cloud.js';
import { runCase } from '../conformance/run-case.js';
import { describeNeeding } from '../system-tools.js';

const CI_SEEDS = [1, 2, 3, 4, 5, 6];
/** `vr` and this process and seed in base 36 (≤ 6 characters, as realize's prefixes are). */
const prefixOf = (seed: number) => `vr${((process.pid % 46656) * 36 + (seed % 36)).toString(36)}`;

describeNeeding('namespaces', 'randomized conformance: vnet against the kernel on random clouds', () => {
  it.each(CI_SEEDS)('seed %i: every probe agrees or differs for a documented reason', (seed) => {
    const r = runCase(randomCase(seed), prefixOf(seed));
    expect(r.error).toBeUndefined();
    expect(r.probes).toBe(randomCase(seed).probes.length);
    expect(r.differences, `seed ${seed}: reproduce with npm run conform:random -- --first ${seed} --seeds 1 --keep DIR`).toEqual([]);
  }, 180_000);
});

/**
 * Runs one random case through `vnet conform` (the built CLI, as a user runs it) and reads back
 * its JSON: the counts and the rows that differ without an explanation. Needs root and the
 * namespace tools (test/system-tools.ts); leaves nothing behind (conform tears down).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RandomCase } from './random-cloud.js';

export interface CaseResult {
  readonly seed: number;
  readonly probes: number;
  readonly agree: number;
  readonly expected: number;
  readonly differ: number;
  /** The unexplained rows, as conform's JSON gives them. */
  readonly differences: readonly unknown[];
  /** Set when conform could not run the case at all (its stderr). */
  readonly error?: string;
  readonly ms: number;
}

interface ConformJson {
  rows: { status: string }[];
  summary: { probes: number; agree: number; expected: number; differ: number };
}

/** Writes the case to `dir` (when given, kept for reproduction) and runs conform on it. */
export function runCase(c: RandomCase, prefix: string, bin = 'dist/vnet.cjs', keepIn?: string): CaseResult {
  const dir = keepIn ?? mkdtempSync(join(tmpdir(), 'vnet-random-'));
  const topo = join(dir, `random-${c.seed}.json`);
  const probes = join(dir, `random-${c.seed}-probes.json`);
  writeFileSync(topo, `${JSON.stringify(c.topology, null, 2)}\n`);
  writeFileSync(probes, `${JSON.stringify({ probes: c.probes }, null, 2)}\n`);
  const start = Date.now();
  try {
    const r = spawnSync(process.execPath, [bin, 'conform', topo, '--probes', probes, '--json', '--prefix', prefix], { encoding: 'utf8', timeout: 300_000 });
    const ms = Date.now() - start;
    let out: ConformJson;
    try {
      out = JSON.parse(r.stdout) as ConformJson;
    } catch {
      return { seed: c.seed, probes: 0, agree: 0, expected: 0, differ: 0, differences: [], error: `exit ${r.status}: ${r.stderr.trim() || r.error?.message || 'no output'}`, ms };
    }
    return { seed: c.seed, ...out.summary, differences: out.rows.filter((row) => row.status === 'differ'), ms };
  } finally {
    if (keepIn === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `vnet test TOPOLOGY TESTS [--reporter text|json|junit|tap]`: runs every probe of a tests file
 * (the probes file of docs/probes.md, each probe with `expect` and optionally `observed_src`) in
 * one simulation and checks it, then checks the file's intents over the whole matrix (docs/intents.md). Exit 0 when every expectation holds, 1 on a mismatch (each
 * printed with the verdict, the blocker and its rule), 2 when an input is unreadable or invalid.
 */
import { readFileSync } from 'node:fs';
import { parseProbes } from '../audit/probes.js';
import { Simulator } from '../engine/simulator.js';
import { loadTopologyFile } from '../files/read-topology.js';
import { formatIssue, type Issue } from '../topology/issue.js';
import { checkIntents } from '../intents/check.js';
import { parseIntents } from '../intents/intents.js';
import { checkOutcome, intentFailure, probeTitle, renderReport, REPORTERS, summarize, type Outcome, type Reporter } from './test-report.js';
import type { Io } from './io.js';

export interface TestOptions {
  readonly reporter?: string;
}

export const TEST_EXIT = { passed: 0, failed: 1, invalid: 2 } as const;

export function runTest(topology: string, tests: string, opts: TestOptions, io: Io): number {
  const invalid = (issues: readonly Issue[]) => {
    for (const issue of issues) io.err(io.errStyle.red('error: ') + formatIssue(issue));
    return TEST_EXIT.invalid;
  };
  const reporter = opts.reporter ?? 'text';
  if (!(REPORTERS as readonly string[]).includes(reporter)) {
    io.err(io.errStyle.red('error: ') + `--reporter ${reporter}: expected one of ${REPORTERS.join(', ')}`);
    return TEST_EXIT.invalid;
  }
  const loaded = loadTopologyFile(topology);
  if (!loaded.ok) return invalid(loaded.issues);
  let text: string;
  try {
    text = readFileSync(tests, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a tests file' : (e as Error).message;
    return invalid([{ severity: 'error', code: 'file', path: [], message: `cannot read the file: ${why}`, file: tests }]);
  }
  const parsed = parseProbes(text, loaded.cloud, tests);
  const intents = parseIntents(text, loaded.cloud, tests);
  if (!parsed.ok || !intents.ok) return invalid([...(parsed.ok ? [] : parsed.issues), ...(intents.ok ? [] : intents.issues)]);
  // A probe with nothing to check would pass whatever happened: in a tests file that is a mistake.
  const unchecked: Issue[] = [];
  parsed.probes.forEach((p, i) => {
    if (p.expect === undefined && p.observedSrc === undefined && p.member === undefined) {
      unchecked.push({ severity: 'error', code: 'missing-key', path: ['probes', i], file: tests, message: `probes[${i}] (${probeTitle(p)}) has no expectation: add expect: delivered|refused|misdelivered|dropped|unreachable|expired (or observed_src, member)` });
    }
  });
  if (unchecked.length > 0) return invalid(unchecked);
  if (parsed.probes.length === 0 && intents.intents.length === 0) return invalid([{ severity: 'error', code: 'empty', path: ['probes'], file: tests, message: 'no probes or intents to test' }]);

  const sim = new Simulator(loaded.cloud);
  const outcomes: Outcome[] = parsed.probes.map((probe) => {
    const verdict = sim.probe(probe.spec);
    return { name: probeTitle(probe), probe, verdict, failure: checkOutcome(probe, verdict) };
  });
  for (const result of checkIntents(loaded.cloud, intents.intents)) outcomes.push({ kind: 'intent', name: result.intent.name, result, failure: intentFailure(result) });
  io.out(renderReport(reporter as Reporter, tests, outcomes));
  return summarize(outcomes).failed > 0 ? TEST_EXIT.failed : TEST_EXIT.passed;
}

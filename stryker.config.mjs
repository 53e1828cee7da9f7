// @ts-check
// StrykerJS config for `npm run mutate -- <file or folder under src/> [stryker flags]`
// (scripts/mutate.mjs sets VNET_MUTATE). Each target mutates only its own files and runs only
// the tests that exercise it (TESTS_FOR below, via vitest.mutate.config.ts), with per-test
// coverage so each mutant meets only the tests that reach it. Not part of CI: it is slow.
import { existsSync, statSync } from 'node:fs';
import process from 'node:process';

/** Test globs per source folder: that folder's unit and property tests, plus the golden traces. */
const GOLDEN = 'test/e2e/golden-traces.test.ts';
const TESTS_FOR = {
  'src/switching': ['test/unit/engine/**/*.test.ts', 'test/property/engine/**/*.test.ts', 'test/unit/switching/**/*.test.ts', GOLDEN],
  // lb-node.ts's health checks and proxy mode are exercised through the simulator (node state, audit).
  'src/lb': ['test/unit/lb/**/*.test.ts', 'test/property/lb/**/*.test.ts', 'test/unit/nat/**/*.test.ts', 'test/unit/routing/**/*.test.ts', 'test/unit/engine/node-state.test.ts', 'test/unit/engine/event-log.test.ts', 'test/unit/audit/lb-health.test.ts', GOLDEN],
  'src/routing': ['test/unit/routing/**/*.test.ts', 'test/unit/nat/**/*.test.ts', 'test/property/nat/**/*.test.ts', GOLDEN],
  // The port filter also runs inside the host (sg.ingress first, port.security and sg.egress on output).
  'src/firewall': ['test/unit/firewall/**/*.test.ts', 'test/property/firewall/**/*.test.ts', 'test/unit/engine/network-acl.test.ts', 'test/unit/engine/icmp-conntrack.test.ts', 'test/unit/engine/host-stages.test.ts', GOLDEN],
  'src/engine': ['test/unit/engine/**/*.test.ts', 'test/property/engine/**/*.test.ts', GOLDEN],
};

const targets = (process.env.VNET_MUTATE ?? '').split(',').filter((t) => t !== '').map((t) => t.replace(/\/+$/, ''));
if (targets.length === 0) throw new Error('stryker.config.mjs: no target; run `npm run mutate -- src/<folder or file>`');

function folderOf(target) {
  const parts = target.split('/');
  return parts.slice(0, 2).join('/');
}

const mutate = targets.map((t) => (existsSync(t) && statSync(t).isDirectory() ? `${t}/**/*.ts` : t));
const tests = [...new Set(targets.flatMap((t) => {
  const folder = folderOf(t);
  const name = folder.slice('src/'.length);
  return TESTS_FOR[folder] ?? [`test/unit/${name}/**/*.test.ts`, `test/property/${name}/**/*.test.ts`, GOLDEN];
}))];
// Child processes (the vitest workers) inherit the environment: vitest.mutate.config.ts reads it.
process.env.VNET_MUTATE_TESTS = tests.join(',');

/** One incremental file and report per target, so runs on different targets never mix. */
const slug = targets.map((t) => t.replace(/^src\//, '').replace(/\.ts$/, '').replace(/[^A-Za-z0-9]+/g, '-')).join('+');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  coverageAnalysis: 'perTest',
  mutate,
  // The sandbox needs src/, test/ and the files tests read (topologies, fixtures, goldens).
  ignorePatterns: ['dist', 'artifacts', 'coverage', 'viewer', 'bench', 'docs', 'reports', 'topologies/generated', '.vitest-cache'],
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${slug}.html` },
  jsonReporter: { fileName: `reports/mutation/${slug}.json` },
  incrementalFile: `reports/stryker-incremental-${slug}.json`,
  tempDirName: '.stryker-tmp',
  concurrency: Number(process.env.VNET_MUTATE_CONCURRENCY ?? 2),
  timeoutMS: 10_000,
  thresholds: { high: 90, low: 80, break: null },
  cleanTempDir: true,
};

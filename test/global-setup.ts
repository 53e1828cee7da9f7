/**
 * Vitest global setup: builds dist/ once per run (node scripts/build.mjs) so the end-to-end
 * tests run the CLI users get, not a stale build. Registered in vitest.config.ts as
 * `globalSetup`; test/e2e/cli.test.ts builds by itself when it finds this has not run. It also
 * names each optional system tool this machine lacks and the tests that skip for it.
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { missingHere, REQUIREMENTS, underCi, type Requirement } from './system-tools.js';

declare module 'vitest' {
  export interface ProvidedContext {
    vnetBuilt: boolean;
  }
}

export function buildDist(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}

/** One line per optional system tool this machine lacks, so a skipped test never goes unexplained. */
function reportMissingTools(): void {
  for (const req of Object.keys(REQUIREMENTS) as Requirement[]) {
    const why = missingHere(req);
    if (why !== null) console.warn(`${underCi() ? 'missing (fails under CI)' : 'skipping'}: ${why}`);
  }
}

export default function setup(project: TestProject): void {
  reportMissingTools();
  buildDist();
  project.provide('vnetBuilt', true);
}

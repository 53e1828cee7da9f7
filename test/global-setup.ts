/**
 * Vitest global setup: builds dist/ once per run (node scripts/build.mjs) so the end-to-end
 * tests run the CLI users get, not a stale build. Registered in vitest.config.ts as
 * `globalSetup`; test/e2e/cli.test.ts builds by itself when it finds this has not run.
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    vnetBuilt: boolean;
  }
}

export function buildDist(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}

export default function setup(project: TestProject): void {
  buildDist();
  project.provide('vnetBuilt', true);
}

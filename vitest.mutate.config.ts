/**
 * Vitest config for mutation testing (scripts/mutate.mjs, stryker.config.mjs): only the test
 * files named in VNET_MUTATE_TESTS (comma-separated globs) and no global setup, since those
 * tests import src/ directly and rebuilding dist/ per Stryker worker would only cost time.
 */
import { defineConfig } from 'vitest/config';

const include = (process.env.VNET_MUTATE_TESTS ?? 'test/unit/**/*.test.ts').split(',').filter((g) => g !== '');

export default defineConfig({
  test: {
    include,
    testTimeout: 30_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Property tests are seeded by fast-check per run; a failure prints the seed to replay it.
    reporters: process.env['CI'] ? ['default'] : ['default'],
  },
});

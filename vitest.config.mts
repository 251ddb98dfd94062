import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each test file in its own process: a native crash fails one file, not the run.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real servers and load; keep them off each other's cores.
    fileParallelism: false,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});

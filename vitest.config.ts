import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Two projects. Unit tests (`*.test.ts`) are pure: no process, server, network namespace, browser or CLI run, so
 * they run in parallel on every core. Integration tests (`*.integration.test.ts`) start real servers, proxies and
 * load, and are measured against wall-clock budgets by the code they exercise: they run one file at a time, after
 * the unit tests, so that neither takes the other's cores. test/test-files.test.ts holds the line between the two.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.integration.test.ts'],
          maxWorkers: availableParallelism(),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.integration.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

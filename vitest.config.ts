import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Three projects. Unit tests (`*.test.ts`) are pure: no process, server, network namespace, browser or CLI run, so
 * they run in parallel on every core. Integration tests (`*.integration.test.ts`) start real servers, proxies and
 * load, and are measured against wall-clock budgets by the code they exercise: they run one file at a time, after
 * the unit tests, so that neither takes the other's cores. test/test-files.test.ts holds the line between the two.
 * The Kubernetes runtime's integration tests are a project of their own (`cluster`): they mostly wait for an API
 * server, a rollout or a kubelet, so `npm test` (scripts/run-tests.ts) runs them one file at a time beside the other
 * integration files, in a second vitest process.
 */
const CLUSTER = 'test/runtimes/kubernetes/**/*.integration.test.ts';

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
          exclude: [CLUSTER],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: [CLUSTER],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/** How many of the slowest test files are listed: where to look when the suite's time grows. */
const SLOWEST = 12;

/** What one vitest process counted; scripts/run-tests.ts adds up its parts' (MESHTAX_TEST_COUNTS_DIR). */
export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
  slowest: { file: string; seconds: number }[];
}

/**
 * Prints the slowest test files with their time, then one plain closing line, `tests: N passed, N failed[, N
 * skipped]`, after vitest's own summary, so a CI log reader that knows only that form can count the run. Unhandled
 * errors count as failures. As one part of `npm test` (MESHTAX_TEST_PART and MESHTAX_TEST_COUNTS_DIR set), it writes
 * its counts for scripts/run-tests.ts, which prints the one closing line for all parts, and names its own line after
 * the part.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const module of modules) {
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    const slowest = modules
      .map((module) => ({ file: module.relativeModuleId, seconds: module.diagnostic().duration / 1000 }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, SLOWEST);
    const part = process.env.MESHTAX_TEST_PART;
    const countsDir = process.env.MESHTAX_TEST_COUNTS_DIR;
    if (part && countsDir) {
      const counts: TestCounts = { passed, failed, skipped, slowest };
      writeFileSync(path.join(countsDir, `${part}.json`), JSON.stringify(counts));
      process.stdout.write(`\n${part} tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
      return;
    }
    process.stdout.write(formatSummary({ passed, failed, skipped, slowest }));
  }
}

/** The slowest files, then the closing line. */
export function formatSummary({ passed, failed, skipped, slowest }: TestCounts): string {
  const top = [...slowest].sort((a, b) => b.seconds - a.seconds).slice(0, SLOWEST);
  const list = top.length > 1 ? `\nslowest test files:\n${top.map(({ file, seconds }) => `  ${seconds.toFixed(1).padStart(6)} s  ${file}`).join('\n')}\n` : '';
  return `${list}\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}

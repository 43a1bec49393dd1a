import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const TEST_ROOT = import.meta.dirname;

/**
 * What marks a test as an integration test: it runs the CLI, a pipeline or a runtime, starts a process, a server,
 * a proxy, a cluster or a browser, or needs root. Such a test must not run in parallel with others on a small
 * machine, so it has to be named `*.integration.test.ts` (vitest.config.ts runs those one file at a time).
 */
const STARTS_SOMETHING =
  /\b(runCli|startCli|spawn\w*|execFile\w*|execa|startServer|createServer|chromium|runScenario|startChild|startCluster|requireRoot|requireHaproxy|Fixture\.create)\b|helpers\/browser\.ts|\.prepare\(/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    // This file names the marker itself.
    return entry.name.endsWith('.test.ts') && full !== import.meta.filename ? [path.relative(TEST_ROOT, full)] : [];
  });
}

it('names every test that starts processes, servers or the CLI *.integration.test.ts, so it never runs in parallel', () => {
  const misnamed = testFiles(TEST_ROOT).filter(
    (file) => !file.endsWith('.integration.test.ts') && STARTS_SOMETHING.test(readFileSync(path.join(TEST_ROOT, file), 'utf8')),
  );
  expect(misnamed).toEqual([]);
});

it('finds the integration tests it tells apart (the marker is not dead)', () => {
  const marked = testFiles(TEST_ROOT).filter((file) => file.endsWith('.integration.test.ts'));
  expect(marked.length).toBeGreaterThan(0);
  for (const file of marked) expect(STARTS_SOMETHING.test(readFileSync(path.join(TEST_ROOT, file), 'utf8')), file).toBe(true);
});

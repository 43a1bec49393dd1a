import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const TEST_ROOT = import.meta.dirname;
const SRC_ROOT = path.join(TEST_ROOT, '..', 'src');
/** Folders of test/ with no folder of src/ behind them: test helpers, the repository's documents, test data. */
const NOT_MIRRORED = new Set(['helpers', 'docs', 'fixtures', '__snapshots__']);

/**
 * What marks a test as an integration test: it runs the CLI, a pipeline or a runtime, starts a process, a server,
 * a proxy, a cluster or a browser, or needs root. Such a test must not run in parallel with others on a small
 * machine, so it has to be named `*.integration.test.ts` (vitest.config.ts runs those one file at a time).
 */
const STARTS_SOMETHING =
  /\b(runCli|startCli|spawn\w*|execFile\w*|execa|startServer|startH2Server|echoH2Server|createServer|PhaseRunner|chromium|runScenario|startChild|startCluster|requireRoot|requireHaproxy|Fixture\.create)\b|helpers\/browser\.ts|\.prepare\(/;

/** Every folder below `dir`, relative to test/, but those below a folder that mirrors nothing. */
function testFolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !NOT_MIRRORED.has(entry.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return [path.relative(TEST_ROOT, full), ...testFolders(full)];
    });
}

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

it('mirrors src/: the tests of src/<folder> are in test/<folder>', () => {
  const folders = testFolders(TEST_ROOT);
  expect(folders).toContain(path.join('runtimes', 'local', 'proxy'));
  expect(folders.filter((folder) => !existsSync(path.join(SRC_ROOT, folder)))).toEqual([]);
});

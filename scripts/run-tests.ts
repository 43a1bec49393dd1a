/**
 * `npm test`: the unit tests, then the integration tests in two vitest processes side by side — the Kubernetes
 * runtime's (`cluster`, which mostly wait for an API server, a rollout or a kubelet) beside all the others, each
 * one file at a time. Run one after the other they took 20 minutes of CI on the 2-core machine, most of it the
 * cluster files waiting. The cluster part's output is held in a file and printed once the other part is done, so
 * the two never interleave; one closing line `tests: N passed, N failed` counts all three parts.
 *
 * With arguments (`npm test -- test/some/file.test.ts`) it is plain `vitest run` with them.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatSummary, type TestCounts } from '../test/summary-reporter.ts';

const vitest = path.resolve('node_modules/.bin/vitest');

/** Runs vitest with `args`; its output to this process's, or to `logFile`. Resolves with its exit code. */
function run(args: readonly string[], env: NodeJS.ProcessEnv, logFile?: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(vitest, args, { env, stdio: logFile ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    if (logFile) {
      const log = createWriteStream(logFile);
      child.stdout!.pipe(log);
      child.stderr!.pipe(log);
    }
    child.on('error', (error) => {
      process.stderr.write(`cannot start ${vitest}: ${error.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length > 0) return run(['run', ...args], process.env);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshtax-tests-'));
  try {
    const part = (name: string): NodeJS.ProcessEnv => ({ ...process.env, MESHTAX_TEST_PART: name, MESHTAX_TEST_COUNTS_DIR: dir });
    const codes = [await run(['run', '--project', 'unit'], part('unit'))];
    const clusterLog = path.join(dir, 'cluster.log');
    const cluster = run(['run', '--project', 'cluster'], part('cluster'), clusterLog);
    codes.push(await run(['run', '--project', 'integration'], part('integration')));
    codes.push(await cluster);
    process.stdout.write(`\n--- the cluster part (run beside the integration part) ---\n${readFileSync(clusterLog, 'utf8')}`);
    const total: TestCounts = { passed: 0, failed: 0, skipped: 0, slowest: [] };
    for (const name of ['unit', 'integration', 'cluster']) {
      let counts: TestCounts;
      try {
        counts = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as TestCounts;
      } catch {
        // A part that ended before its reporter ran (a crash, a signal) counts as one failure.
        counts = { passed: 0, failed: 1, skipped: 0, slowest: [] };
        process.stdout.write(`\nthe ${name} part wrote no counts: it ended early\n`);
      }
      total.passed += counts.passed;
      total.failed += counts.failed;
      total.skipped += counts.skipped;
      total.slowest.push(...counts.slowest);
    }
    process.stdout.write(formatSummary(total));
    return codes.every((code) => code === 0) && total.failed === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();

import { fileURLToPath } from 'node:url';
import { invalidPhases, validityOf, validityText } from '../analysis/validity.ts';
import { runScenario } from '../pipeline/run.ts';
import { runtimeFacts } from '../runtimes/descriptions.ts';
import { runtimeFor } from '../runtimes/registry.ts';
import { RUN_FILE, writeFinalRunFile } from '../results/run-file.ts';
import { WriteError } from '../results/atomic-write.ts';
import type { RunDocument } from '../results/schema.ts';
import { writeAllReports } from '../report/all.ts';
import { runSummary } from '../report/terminal.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { EXIT, type ExitCode } from '../core/exit-codes.ts';
import { cleanupScope, interrupted, onQuit } from './interrupt.ts';
import { requireWritableDir } from './out-dir.ts';
import { progressObserver, progressStyle, type ProgressFlags } from './progress.ts';
import path from 'node:path';

/** The scenario `meshtax run` uses when none is named. */
export const EMBEDDED_DEFAULT = fileURLToPath(new URL('../../scenarios/quickstart.yaml', import.meta.url));

export interface RunFlags extends ProgressFlags {
  out?: string;
  set: string[];
  json: boolean;
  context?: string;
  keep: boolean;
  allowInvalid: boolean;
}

export async function runCommand(scenarioPath: string | undefined, flags: RunFlags): Promise<ExitCode> {
  // --context is the scenario's kubernetes.context, so run.json records the context that was used.
  // Quoted (JSON is a YAML double-quoted scalar): context names such as arn:aws:eks:.../x or 1.30 stay strings.
  const sets = flags.context === undefined ? flags.set : [...flags.set, `kubernetes.context=${JSON.stringify(flags.context)}`];
  const loaded = await loadScenarioFile(scenarioPath ?? EMBEDDED_DEFAULT, sets);
  // What the scenario asks of this host (netns needs root) is said before where the results would go.
  runtimeFor(loaded);
  const outDir = flags.out ?? loaded.scenario.output.dir;
  // A results directory that cannot be written is invalid input, found before anything starts.
  await requireWritableDir(outDir, flags.out === undefined ? 'output.dir' : '--out');
  const endScope = cleanupScope();
  const progress = progressObserver(progressStyle(flags));
  try {
    const outcome = await runScenario(loaded, {
      outDir,
      keep: flags.keep,
      signal: interrupted,
      observer: progress,
      onQuit,
    });
    const { run, runDir } = outcome;
    let writeFailed = outcome.runFileError !== undefined;
    progress.stop();
    if (outcome.runFileError !== undefined) process.stderr.write(`meshtax: ${outcome.runFileError}; run.json does not hold the run's final state\n`);
    // Reports of whatever was measured, also after a failure or Ctrl-C; run.json is already safe on disk.
    let reportError: string | undefined;
    const reports = await writeAllReports(run, runDir).catch((error: unknown) => {
      reportError = error instanceof Error ? error.message : String(error);
      return [];
    });
    if (reportError !== undefined) {
      writeFailed = true;
      process.stderr.write(`meshtax: could not write the reports: ${reportError}\n`);
      // run.json says so too: the run did not deliver what it was asked for.
      if (run.status === 'completed') run.status = 'failed';
      const error = `reports: ${reportError}`;
      run.error = run.error ? `${run.error}; ${error}` : error;
      if (outcome.runFileError === undefined) {
        await writeFinalRunFile(runDir, run).catch((failure: unknown) => {
          if (!(failure instanceof WriteError)) throw failure;
          process.stderr.write(`meshtax: ${failure.message}; run.json does not hold the run's final state\n`);
        });
      }
    }
    const kept = flags.keep ? runtimeFacts(run.environment.runtime).keptNote(run.runId) : undefined;
    if (kept !== undefined) process.stderr.write(`meshtax: ${kept}\n`);
    if (flags.json) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    else {
      const reportLine = reportError === undefined ? `reports: ${reports.map((file) => path.basename(file)).join(', ')}` : `reports: not written (${reportError})`;
      const summary = flags.quiet ? quietSummary(run, path.join(runDir, RUN_FILE)) : runSummary(run, path.join(runDir, RUN_FILE));
      // Quiet says where the results are; it still says when the reports are missing.
      process.stdout.write(`${summary}\n${flags.quiet && reportError === undefined ? '' : `${reportLine}\n`}`);
    }
    if (run.status === 'interrupted') return EXIT.interrupted;
    if (writeFailed) return EXIT.runFailed;
    if (run.status === 'failed') {
      if (flags.json) process.stderr.write(`meshtax: run failed: ${run.error ?? 'unknown error'}\n`);
      return EXIT.runFailed;
    }
    const invalid = invalidPhases(run.phases);
    if (invalid.length > 0 && !flags.allowInvalid) {
      const first = invalid[0]!;
      process.stderr.write(
        `meshtax: ${invalid.length} measured phase${invalid.length === 1 ? ' is' : 's are'} invalid and not mesh tax; ` +
          `the first: ${first.mode} @ ${first.rate ?? 'max'} rps, rep ${first.repetition}: ${validityText(validityOf(first))}. ` +
          'Fix the cause (a lower rate, more connections or workers, a quieter machine) or pass --allow-invalid to exit 0 anyway\n',
      );
      return EXIT.runFailed;
    }
    const failed = run.thresholds.filter((result) => result.status === 'fail');
    if (failed.length > 0) {
      if (flags.json) for (const result of failed) process.stderr.write(`meshtax: threshold failed: ${result.reason}\n`);
      return EXIT.gateFailed;
    }
    return EXIT.ok;
  } finally {
    progress.stop();
    endScope();
  }
}

/** --quiet: the outcome only, for a CI step whose reports are kept as artifacts. */
function quietSummary(run: RunDocument, runFile: string): string {
  return [
    `meshtax run ${run.runId}: ${run.status}${run.error ? ` — ${run.error}` : ''}`,
    ...run.thresholds.filter((result) => result.status === 'fail').map((result) => `threshold FAIL: ${result.reason}`),
    `results: ${runFile}`,
  ].join('\n');
}

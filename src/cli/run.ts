import { fileURLToPath } from 'node:url';
import { invalidPhases, validityOf, validityText } from '../analysis/validity.ts';
import { runScenario } from '../pipeline/run.ts';
import { RUN_FILE } from '../results/run-file.ts';
import type { RunDocument } from '../results/schema.ts';
import { writeAllReports } from '../report/all.ts';
import { runSummary } from '../report/terminal.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { cleanupScope, interrupted } from './interrupt.ts';
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
  const endScope = cleanupScope();
  const progress = progressObserver(progressStyle(flags));
  try {
    const { run, runDir } = await runScenario(loaded, {
      outDir: flags.out ?? loaded.scenario.output.dir,
      keep: flags.keep,
      signal: interrupted,
      observer: progress,
    });
    progress.stop();
    // Reports of whatever was measured, also after a failure or Ctrl-C; run.json is already safe on disk.
    const reports = await writeAllReports(run, runDir).catch((error: unknown) => {
      process.stderr.write(`meshtax: could not write the reports: ${error instanceof Error ? error.message : String(error)}\n`);
      return [];
    });
    const runtime = run.environment.runtime as { name?: string; namespaces?: string[] };
    if (flags.keep && runtime.name === 'kubernetes' && (runtime.namespaces ?? []).length > 0) {
      process.stderr.write(`meshtax: kept ${runtime.namespaces!.join(', ')}; remove them with meshtax cleanup --run-id ${run.runId}\n`);
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    else if (flags.quiet) process.stdout.write(`${quietSummary(run, path.join(runDir, RUN_FILE))}\n`);
    else process.stdout.write(`${runSummary(run, path.join(runDir, RUN_FILE))}\n${reports.length > 0 ? `reports: ${reports.map((file) => path.basename(file)).join(', ')}\n` : ''}`);
    if (run.status === 'interrupted') return EXIT.interrupted;
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

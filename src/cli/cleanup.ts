import { RUN_ID_EXAMPLE, RUN_ID_PATTERN } from '../results/run-id.ts';
import { runtimeNamed } from '../runtimes/registry.ts';
import { legacySecondsFlag } from './duration-flag.ts';
import { type ExitCode } from '../core/exit-codes.ts';
import { UsageError } from '../core/errors.ts';

export interface CleanupFlags {
  runtime: string;
  runId?: string;
  all: boolean;
  context?: string;
  timeout: string;
  json: boolean;
  force: boolean;
  dryRun: boolean;
}

/** `meshtax cleanup`: deletes what runs left behind, by the runtime that made it (a cluster's namespaces, this host's leftovers). */
export async function cleanupCommand(flags: CleanupFlags): Promise<ExitCode> {
  if ((flags.runId === undefined) === !flags.all) throw new UsageError('cleanup needs --run-id ID or --all (one of them)');
  // An empty or mistyped id must never widen to every run's namespaces.
  if (flags.runId !== undefined && !RUN_ID_PATTERN.test(flags.runId)) {
    throw new UsageError(`--run-id '${flags.runId}' is not ${RUN_ID_EXAMPLE}`);
  }
  const runtime = runtimeNamed(flags.runtime);
  const timeoutMs = legacySecondsFlag('--timeout', flags.timeout, 1, 24 * 3600_000, (note) => process.stderr.write(`meshtax: ${note}\n`));
  return (await runtime.commands()).cleanup({
    runId: flags.runId,
    context: flags.context,
    timeoutMs,
    json: flags.json,
    force: flags.force,
    dryRun: flags.dryRun,
  });
}

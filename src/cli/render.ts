import { newRunId, RUN_ID_PATTERN } from '../results/run-id.ts';
import { runtimeFor, runtimeNamed } from '../runtimes/registry.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { EXIT, type ExitCode } from '../core/exit-codes.ts';
import { UsageError } from '../core/errors.ts';

export interface RenderFlags {
  mode: string[];
  set: string[];
  runId?: string;
  /** false with --no-code: each mode's code ConfigMap becomes a comment naming its digest. */
  code: boolean;
}

/** `meshtax render`: the manifests `run` would apply, as YAML on stdout, for review or GitOps. */
export async function renderCommand(scenarioPath: string, flags: RenderFlags): Promise<ExitCode> {
  const loaded = await loadScenarioFile(scenarioPath, flags.set);
  const { render } = await runtimeNamed(loaded.scenario.runtime).commands();
  if (!render) {
    throw new UsageError(
      `${scenarioPath} uses runtime ${loaded.scenario.runtime}, which has no manifests; render shows those of a runtime that applies them, such as kubernetes (add --set runtime=kubernetes to see them for this scenario)`,
    );
  }
  runtimeFor(loaded);
  const runId = flags.runId ?? newRunId();
  if (!RUN_ID_PATTERN.test(runId)) throw new UsageError(`--run-id ${runId} is not a run id like 20261201-120000-ab12`);
  process.stdout.write(render({ scenario: loaded.scenario, scenarioPath, modes: flags.mode, runId, code: flags.code }));
  return EXIT.ok;
}

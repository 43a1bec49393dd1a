import { estimateSeconds, planPhases } from '../scenario/plan.ts';
import { runtimeFor } from '../runtimes/registry.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { EXIT, type ExitCode } from '../core/exit-codes.ts';

/** `meshtax validate`: everything `run` checks before it starts anything, and nothing more. */
export async function validateCommand(scenarioPath: string, flags: { set: string[] }): Promise<ExitCode> {
  const loaded = await loadScenarioFile(scenarioPath, flags.set);
  const runtime = runtimeFor(loaded);
  const phases = planPhases(loaded.scenario).length;
  const seconds = Math.ceil(estimateSeconds(loaded.scenario, phases, runtime.phaseOverheadMs(loaded.scenario)));
  process.stdout.write(
    `${scenarioPath}: valid — ${phases} phase${phases === 1 ? '' : 's'} on the ${loaded.scenario.runtime} runtime, about ${seconds} s\n`,
  );
  return EXIT.ok;
}

import { stringify } from 'yaml';
import { plannedModes } from '../pipeline/plan.ts';
import { newRunId, RUN_ID_PATTERN } from '../results/run-id.ts';
import { loadCodeBundle } from '../runtimes/kubernetes/code-bundle.ts';
import { isKubernetesMode, KUBERNETES_MODES, type KubernetesMode } from '../runtimes/kubernetes/modes.ts';
import { renderRun } from '../runtimes/kubernetes/render-run.ts';
import { runtimeFor } from '../runtimes/registry.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { EXIT, UsageError, type ExitCode } from './exit-codes.ts';

export interface RenderFlags {
  mode: string[];
  set: string[];
  runId?: string;
}

/** `meshtax render`: the manifests `run` would apply, as YAML on stdout, for review or GitOps. */
export async function renderCommand(scenarioPath: string, flags: RenderFlags): Promise<ExitCode> {
  const loaded = await loadScenarioFile(scenarioPath, flags.set);
  if (loaded.scenario.runtime !== 'kubernetes') {
    throw new UsageError(`${scenarioPath} uses runtime ${loaded.scenario.runtime}; render shows Kubernetes manifests (add --set runtime=kubernetes to see them for this scenario)`);
  }
  runtimeFor(loaded);
  const all = plannedModes(loaded.scenario).filter(isKubernetesMode);
  for (const mode of flags.mode) {
    if (!isKubernetesMode(mode)) throw new UsageError(`--mode ${mode} is not a Kubernetes mode; modes: ${KUBERNETES_MODES.join(', ')}`);
  }
  const modes: KubernetesMode[] = flags.mode.length > 0 ? flags.mode.filter(isKubernetesMode) : all;
  const runId = flags.runId ?? newRunId();
  if (!RUN_ID_PATTERN.test(runId)) throw new UsageError(`--run-id ${runId} is not a run id like 20261201-120000-ab12`);
  const objects = renderRun(loaded.scenario, runId, modes, loadCodeBundle());
  const header = [
    `# meshtax render ${scenarioPath}: run ${runId}, modes ${modes.join(', ')}`,
    '# run applies these with server-side apply; generator pods are created per phase (shown: the first phase).',
    loaded.scenario.kubernetes.placement.server.node && loaded.scenario.kubernetes.placement.client.node
      ? '# nodes: pinned by the scenario'
      : '# nodes not pinned by the scenario are chosen at run time and set as node affinity on the pods',
  ];
  process.stdout.write(`${header.join('\n')}\n${objects.map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n')}`);
  return EXIT.ok;
}

import type { KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { TOOL } from '../tool.ts';
import { plannedModes } from '../scenario/plan.ts';
import { newRunId, RUN_ID_PATTERN } from '../results/run-id.ts';
import { codeDigest, loadCodeBundle, type CodeBundle } from '../runtimes/kubernetes/code-bundle.ts';
import { CODE_CONFIGMAP } from '../runtimes/kubernetes/labels.ts';
import { isKubernetesMode, KUBERNETES_MODES, type KubernetesMode } from '../runtimes/kubernetes/modes.ts';
import { renderRun } from '../runtimes/kubernetes/render-run.ts';
import { runtimeFor } from '../runtimes/registry.ts';
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
  const code = loadCodeBundle();
  const objects = renderRun(loaded.scenario, runId, modes, code);
  const header = [
    `# meshtax render ${scenarioPath}: run ${runId}, modes ${modes.join(', ')}`,
    '# run applies these with server-side apply; generator pods are created per phase (shown: the first phase).',
    loaded.scenario.kubernetes.placement.server.node && loaded.scenario.kubernetes.placement.client.node
      ? '# nodes: pinned by the scenario'
      : '# nodes not pinned by the scenario are chosen at run time and set as node affinity on the pods',
  ];
  const documents = objects.map((object) =>
    !flags.code && isCodeConfigMap(object) ? codeReference(object.metadata?.namespace ?? '', code) : stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }),
  );
  process.stdout.write(`${header.join('\n')}\n${documents.join('---\n')}`);
  return EXIT.ok;
}

const isCodeConfigMap = (object: KubernetesObject): boolean => object.kind === 'ConfigMap' && object.metadata?.name === CODE_CONFIGMAP;

/**
 * What --no-code prints instead of the code ConfigMap (about 650 KB in every mode's namespace): a comment naming it
 * and the digest of its content, so a GitOps diff still changes exactly when the code does. A comment, not an empty
 * ConfigMap, so that nothing applies a ConfigMap without the code the pods mount.
 */
function codeReference(namespace: string, code: CodeBundle): string {
  const bytes = Object.values(code).reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8'), 0);
  return [
    `# ConfigMap ${namespace}/${CODE_CONFIGMAP} left out (--no-code): meshtax ${TOOL.version}'s in-cluster code,`,
    `# ${Object.keys(code).join(', ')} (${bytes} bytes), ${codeDigest(code)}; meshtax run creates it`,
    `# (render without --no-code to see it).`,
    '',
  ].join('\n');
}

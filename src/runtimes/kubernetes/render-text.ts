import type { KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { UsageError } from '../../core/errors.ts';
import { plannedModes } from '../../scenario/plan.ts';
import { suggest } from '../../scenario/suggest.ts';
import { TOOL } from '../../tool.ts';
import type { RenderRequest } from '../types.ts';
import { codeDigest, loadCodeBundle, type CodeBundle } from './code-bundle.ts';
import { CODE_CONFIGMAP } from './labels.ts';
import { isKubernetesMode, KUBERNETES_MODES, type KubernetesMode } from './modes.ts';
import { renderRun } from './render-run.ts';

/** What `meshtax render` prints for a Kubernetes scenario: every manifest run would apply, as YAML. */
export function renderText(request: RenderRequest): string {
  const { scenario } = request;
  const all = plannedModes(scenario).filter(isKubernetesMode);
  for (const mode of request.modes) {
    if (!isKubernetesMode(mode)) {
      const guess = guessMode(mode);
      throw new UsageError(`--mode ${mode} is not a Kubernetes mode; ${guess === undefined ? '' : `did you mean '${guess}'? `}modes: ${KUBERNETES_MODES.join(', ')}`);
    }
  }
  const modes: KubernetesMode[] = request.modes.length > 0 ? request.modes.filter(isKubernetesMode) : all;
  const code = loadCodeBundle();
  const objects = renderRun(scenario, request.runId, modes, code);
  const header = [
    `# meshtax render ${request.scenarioPath}: run ${request.runId}, modes ${modes.join(', ')}`,
    '# run applies these with server-side apply; generator pods are created per phase (shown: the first phase).',
    scenario.kubernetes.placement.server.node && scenario.kubernetes.placement.client.node
      ? '# nodes: pinned by the scenario'
      : '# nodes not pinned by the scenario are chosen at run time and set as node affinity on the pods',
  ];
  const documents = objects.map((object) =>
    !request.code && isCodeConfigMap(object) ? codeReference(object.metadata?.namespace ?? '', code) : stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }),
  );
  return `${header.join('\n')}\n${documents.join('---\n')}`;
}

/**
 * The Kubernetes mode a typo meant: one close to its whole name, or to its name after the mesh, since the local
 * runtime's names people type first lack the mesh ('sidcar' → istio-sidecar).
 */
function guessMode(mode: string): KubernetesMode | undefined {
  return suggest(mode, KUBERNETES_MODES) ?? KUBERNETES_MODES.find((known) => known.includes('-') && suggest(mode, [known.slice(known.indexOf('-') + 1)]) !== undefined);
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

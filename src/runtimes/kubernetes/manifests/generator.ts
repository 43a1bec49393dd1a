import type { V1Pod } from '@kubernetes/client-node';
import { namespaceName, PHASE_LABEL, ROLE_LABEL, runLabels } from '../labels.ts';
import { CODE_MOUNT } from '../code-bundle.ts';
import { INPUT_ENV, type GeneratorInput } from '../generator/protocol.ts';
import type { RenderContext } from './context.ts';
import { meshPodAnnotations, nodeContainer, podSpecBase } from './pod-parts.ts';

export const LOADGEN_CONTAINER = 'loadgen';

/**
 * One generator pod of one phase (a shard when the rate is split): meshtax's engine in a pod of the mode's
 * namespace, so the mesh takes it as it takes real clients. It reports through its log and is deleted after. It runs
 * on the client node, or on the server node for a call chain's path that enters on the client node (manifests/chain.ts).
 */
export function generatorPod(context: RenderContext, phaseId: string, shard: number, input: GeneratorInput, side: 'client' | 'server' = 'client'): V1Pod {
  const labels = { ...runLabels(context.runId, context.mode), [ROLE_LABEL]: 'loadgen', [PHASE_LABEL]: phaseId };
  const container = nodeContainer(LOADGEN_CONTAINER, context.settings, [`${CODE_MOUNT}/loadgen.js`], context.settings.resources.loadgen);
  container.env = [{ name: INPUT_ENV, value: JSON.stringify(input) }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `loadgen-${phaseId}-${shard}`,
      namespace: namespaceName(context.runId, context.mode),
      labels,
      annotations: { 'kubectl.kubernetes.io/default-container': LOADGEN_CONTAINER, ...meshPodAnnotations(context) },
    },
    spec: {
      ...podSpecBase(context, side === 'client' ? context.clientNode : context.serverNode, context.settings.placement[side].selector),
      restartPolicy: 'Never',
      containers: [container],
    },
  };
}

import type { V1Affinity } from '@kubernetes/client-node';

/** Pins pods to one node by name (matchFields on metadata.name, which needs no node label). */
export function onNode(node: string): V1Affinity {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
      },
    },
  };
}

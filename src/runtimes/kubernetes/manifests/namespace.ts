import type { V1Namespace } from '@kubernetes/client-node';
import { namespaceName, runLabels, WAYPOINT_NAME } from '../labels.ts';
import { modeFacts, type KubernetesMode } from '../modes.ts';

/**
 * The namespace of a mode, labelled and annotated so that the mode's mesh takes its pods: baseline
 * opts out of every mesh explicitly, so a cluster with mesh-wide injection still gives a clean baseline.
 */
export function modeNamespace(runId: string, mode: KubernetesMode, istioRevision?: string): V1Namespace {
  const facts = modeFacts(mode);
  const labels: Record<string, string> = {
    ...runLabels(runId, mode),
    // Warn (not enforce) on the restricted standard: sidecar injection without a mesh CNI adds privileged init containers.
    'pod-security.kubernetes.io/warn': 'restricted',
  };
  const annotations: Record<string, string> = {};
  if (facts.mesh === null) {
    labels['istio-injection'] = 'disabled';
    annotations['linkerd.io/inject'] = 'disabled';
  }
  if (facts.sidecar === 'linkerd-proxy') {
    annotations['linkerd.io/inject'] = 'enabled';
    labels['istio-injection'] = 'disabled';
  }
  if (facts.sidecar === 'istio-proxy') {
    if (istioRevision) labels['istio.io/rev'] = istioRevision;
    else labels['istio-injection'] = 'enabled';
    annotations['linkerd.io/inject'] = 'disabled';
  }
  if (facts.ambient) {
    labels['istio.io/dataplane-mode'] = 'ambient';
    // Ambient pods must not also get a sidecar from a mesh-wide injection policy.
    labels['istio-injection'] = 'disabled';
    annotations['linkerd.io/inject'] = 'disabled';
  }
  if (facts.waypoint) labels['istio.io/use-waypoint'] = WAYPOINT_NAME;
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespaceName(runId, mode), labels, annotations } };
}

import type { V1Namespace } from '@kubernetes/client-node';
import { namespaceName, runLabels, WAYPOINT_NAME } from '../labels.ts';
import { modeFacts, type KubernetesMode } from '../modes.ts';
import type { PodSecurityLevel } from './security.ts';

/**
 * Whether a mode's namespace enforces the scenario's Pod Security level, not only warns. Enforced where every pod is
 * meshtax's own or the team's workload, unchanged by the mesh: baseline and ambient (istio-cni redirects traffic
 * without touching the pod). Only warned where the mesh adds pods or containers of its own: sidecar injection
 * without the mesh's CNI adds istio-init or linkerd-init, which need NET_ADMIN and root, and Istio's waypoint
 * template sets no seccomp profile (manifests/charts/istio-control/istio-discovery/files/waypoint.yaml sets
 * `seccompProfile` only from `gateways.seccompProfile`, empty by default), so `restricted` would refuse them.
 */
export function enforcesPodSecurity(mode: KubernetesMode): boolean {
  const facts = modeFacts(mode);
  return facts.sidecar === null && !facts.waypoint;
}

/**
 * The namespace of a mode, labelled and annotated so that the mode's mesh takes its pods: baseline
 * opts out of every mesh explicitly, so a cluster with mesh-wide injection still gives a clean baseline.
 */
export function modeNamespace(runId: string, mode: KubernetesMode, istioRevision?: string, podSecurity: PodSecurityLevel = 'restricted'): V1Namespace {
  const facts = modeFacts(mode);
  const labels: Record<string, string> = {
    ...runLabels(runId, mode),
    'pod-security.kubernetes.io/warn': podSecurity,
  };
  if (enforcesPodSecurity(mode)) labels['pod-security.kubernetes.io/enforce'] = podSecurity;
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

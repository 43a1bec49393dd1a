import { AA_MODE } from '../../core/modes.ts';

/** The modes of the Kubernetes runtime (how each joins its mesh is in manifests/namespace.ts), and baseline-aa, a second baseline for the noise floor. */
export const KUBERNETES_MODES = ['baseline', AA_MODE, 'linkerd', 'istio-sidecar', 'istio-ambient', 'istio-waypoint'] as const;
export type KubernetesMode = (typeof KUBERNETES_MODES)[number];

export function isKubernetesMode(mode: string): mode is KubernetesMode {
  return (KUBERNETES_MODES as readonly string[]).includes(mode);
}

/** Which mesh a mode needs installed in the cluster. */
export type Mesh = 'linkerd' | 'istio';

export interface ModeFacts {
  mesh: Mesh | null;
  /** The proxy container injected into every pod, when the mode uses sidecars. */
  sidecar: 'linkerd-proxy' | 'istio-proxy' | null;
  /** Ambient: traffic is redirected to ztunnel on each node. */
  ambient: boolean;
  /** A waypoint proxy (a Gateway of class istio-waypoint) carries the traffic at L7. */
  waypoint: boolean;
}

const FACTS: Record<KubernetesMode, ModeFacts> = {
  baseline: { mesh: null, sidecar: null, ambient: false, waypoint: false },
  [AA_MODE]: { mesh: null, sidecar: null, ambient: false, waypoint: false },
  linkerd: { mesh: 'linkerd', sidecar: 'linkerd-proxy', ambient: false, waypoint: false },
  'istio-sidecar': { mesh: 'istio', sidecar: 'istio-proxy', ambient: false, waypoint: false },
  'istio-ambient': { mesh: 'istio', sidecar: null, ambient: true, waypoint: false },
  'istio-waypoint': { mesh: 'istio', sidecar: null, ambient: true, waypoint: true },
};

export function modeFacts(mode: KubernetesMode): ModeFacts {
  return FACTS[mode];
}

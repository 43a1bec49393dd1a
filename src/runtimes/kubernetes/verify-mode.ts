import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { PhaseInterrupted } from '../../loadgen/phase.ts';
import { containerNames } from './pod-status.ts';
import { modeFacts, type KubernetesMode } from './modes.ts';

/**
 * The annotation istio-cni's node agent sets on an ambient pod: `enabled` once its traffic is redirected and a
 * ztunnel took the pod, `pending` while the redirection rules are in but no ztunnel has accepted the pod yet
 * (istio/istio pkg/config/constants/constants.go:203-213; set in cni/pkg/nodeagent/meshdataplane_linux.go:159 when
 * sending the pod to ztunnel fails, :183 when it succeeds).
 */
export const AMBIENT_ANNOTATION = 'ambient.istio.io/redirection';

/**
 * Proof that a mode is in effect on a running pod (the proxy container, or the ambient redirection annotation): undefined when it is, else what is missing.
 * Run on every echo and generator pod before it is measured.
 */
export function modeProblem(mode: KubernetesMode, pod: V1Pod, appContainer: string): string | undefined {
  const facts = modeFacts(mode);
  const name = pod.metadata?.name ?? '?';
  const containers = containerNames(pod);
  const redirection = pod.metadata?.annotations?.[AMBIENT_ANNOTATION];
  const extra = containers.filter((c) => c !== appContainer);
  if (facts.sidecar) {
    if (!containers.includes(facts.sidecar)) {
      const hint =
        facts.sidecar === 'linkerd-proxy'
          ? 'is the Linkerd proxy injector running (linkerd check)?'
          : 'is istiod\'s sidecar injector webhook running (istioctl analyze)?';
      return `mode ${mode} is not in effect: pod ${name} has no ${facts.sidecar} container (containers: ${containers.join(', ')}); ${hint}`;
    }
    return undefined;
  }
  if (extra.length > 0) {
    return `mode ${mode} is not in effect: pod ${name} has containers ${extra.join(', ')} besides ${appContainer}, injected by an admission webhook (a mesh or another tool) despite the namespace's opt-out`;
  }
  if (facts.ambient && redirection === 'pending') {
    const node = pod.spec?.nodeName ? ` on node ${pod.spec.nodeName}` : '';
    return `mode ${mode} is not in effect: pod ${name} has ${AMBIENT_ANNOTATION}: pending: istio-cni redirected its traffic but no ztunnel has accepted the pod yet (is the ztunnel pod${node} running? kubectl logs -n istio-system -l app=ztunnel)`;
  }
  if (facts.ambient && redirection !== 'enabled') {
    return `mode ${mode} is not in effect: pod ${name} lacks the annotation ${AMBIENT_ANNOTATION}: enabled, so istio-cni did not redirect its traffic to ztunnel (is the istio-cni DaemonSet running on its node?)`;
  }
  if (!facts.ambient && redirection === 'enabled') {
    return `mode ${mode} is not in effect: pod ${name} is captured by Istio ambient (${AMBIENT_ANNOTATION}: enabled) although its namespace opts out`;
  }
  return undefined;
}

/** Re-reads of a pod (500 ms apart) before a missing proof of the mode counts. */
const PROOF_ATTEMPTS = 10;

/**
 * modeProblem for a pod that has just started: the mesh marks a pod as it sets it up (istio-cni's annotation) and
 * the API may show it a moment later, so the pod is read again for up to 5 s before the problem stands. Used for
 * the echo pods and for every generator pod alike.
 */
export async function settledModeProblem(
  mode: KubernetesMode,
  pod: V1Pod,
  appContainer: string,
  reread: () => Promise<V1Pod>,
  signal?: AbortSignal,
): Promise<string | undefined> {
  let problem = modeProblem(mode, pod, appContainer);
  for (let attempt = 0; problem && attempt < PROOF_ATTEMPTS; attempt++) {
    await sleep(500, undefined, { signal }).catch(() => undefined);
    if (signal?.aborted) throw new PhaseInterrupted('interrupted while proving the mode');
    problem = modeProblem(mode, await reread(), appContainer);
  }
  return problem;
}

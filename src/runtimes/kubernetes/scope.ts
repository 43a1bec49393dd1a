import type { V1Pod } from '@kubernetes/client-node';
import type { Cluster } from './client/connect.ts';
import { during } from './client/errors.ts';
import { APP_NAME, CHAIN_INDEX_LABEL, namespaceName, PROBE_ROLE, ROLE_LABEL, WAYPOINT_NAME } from './labels.ts';
import { LOADGEN_CONTAINER } from './manifests/generator.ts';
import type { MeshInstall } from './mesh-check.ts';
import { modeFacts, type KubernetesMode } from './modes.ts';
import type { ResourceTarget } from './resources/phase-resources.ts';
import { type Role } from '../../core/modes.ts';

const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** The role of one container of one of the mode's pods, or undefined for containers not worth recording. */
export function roleOf(pod: V1Pod, container: string, sidecar: string | null): Role | undefined {
  if (pod.metadata?.labels?.[GATEWAY_NAME_LABEL] === WAYPOINT_NAME) return 'waypoint';
  const role = pod.metadata?.labels?.[ROLE_LABEL];
  // A pod started during a control-plane outage is a probe, not part of the measured path.
  if (role === PROBE_ROLE) return undefined;
  if (container === sidecar) return 'sidecar';
  if (role === 'app' && container === APP_NAME) return 'app';
  if (role === 'loadgen' && container === LOADGEN_CONTAINER) return 'loadgen';
  return undefined;
}

/** The containers of running pods worth measuring, with their roles; native sidecars count as containers. */
export function targetsOf(pods: readonly V1Pod[], role: (pod: V1Pod, container: string) => Role | undefined): ResourceTarget[] {
  const targets: ResourceTarget[] = [];
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Running') continue;
    // Native sidecars (Istio 1.27+ and Linkerd can inject them) are init containers that keep running.
    const running = [...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])];
    const ephemeral = pod.metadata?.labels?.[ROLE_LABEL] === 'loadgen';
    for (const container of running) {
      const r = role(pod, container.name);
      if (r) targets.push({ namespace: pod.metadata?.namespace ?? '', pod: pod.metadata?.name ?? '', container: container.name, role: r, node: pod.spec?.nodeName ?? '', ephemeral });
    }
  }
  return targets;
}

/** ztunnel and the control planes serve every workload of the cluster, not only the run's. */
function shared(targets: ResourceTarget[]): ResourceTarget[] {
  return targets.map((target) => ({ ...target, shared: true }));
}

/** Whether a pod is on the path that enters a call chain at service `entry`: not one of the services before it. */
export function onChainPath(pod: V1Pod, entry: number): boolean {
  const index = pod.metadata?.labels?.[CHAIN_INDEX_LABEL];
  return index === undefined || Number(index) >= entry;
}

/**
 * What a mode's phase measures: app and generator containers and their sidecars, the waypoint,
 * ztunnel on the nodes those pods run on, and the control plane of the mode's mesh. With a call chain, the path
 * entering at service `chainEntry`: the services before it idle and are left out.
 */
export function resourceScope(
  cluster: Cluster,
  runId: string,
  mode: KubernetesMode,
  meshes: readonly MeshInstall[],
  controlPlaneOutage = false,
  chainEntry = 1,
): () => Promise<ResourceTarget[]> {
  const facts = modeFacts(mode);
  return async () => {
    const namespace = namespaceName(runId, mode);
    const own = await during(`listing pods of ${namespace}`, () => cluster.core.listNamespacedPod({ namespace }));
    const onPath = own.items.filter((pod) => onChainPath(pod, chainEntry));
    const targets = targetsOf(onPath, (pod, container) => roleOf(pod, container, facts.sidecar));
    const nodes = new Set(targets.map((t) => t.node));
    if (facts.ambient) {
      const ztunnel = meshes.find((m) => m.mesh === 'istio-ambient');
      if (ztunnel) {
        const pods = await during('listing ztunnel pods', () => cluster.core.listNamespacedPod({ namespace: ztunnel.namespace, labelSelector: ztunnel.selector }));
        targets.push(...shared(targetsOf(pods.items.filter((p) => nodes.has(p.spec?.nodeName ?? '')), () => 'node-proxy')));
      }
    }
    const plane = meshes.find((m) => m.mesh === facts.mesh);
    if (plane) {
      const pods = await during(`listing ${plane.mesh} control-plane pods`, () => cluster.core.listNamespacedPod({ namespace: plane.namespace, labelSelector: plane.selector }));
      // A control-plane outage scales these pods away mid-phase on purpose: their going does not fail the phase.
      targets.push(...shared(targetsOf(pods.items, () => 'control-plane')).map((t) => (controlPlaneOutage ? { ...t, ephemeral: true } : t)));
    }
    return targets;
  };
}

/** The shared components the modes' phases measure, for people: which, where, and as which rows. */
export function sharedComponents(modes: readonly KubernetesMode[], meshes: readonly MeshInstall[]): string[] {
  const facts = modes.map(modeFacts);
  const found: string[] = [];
  const ztunnel = meshes.find((m) => m.mesh === 'istio-ambient');
  if (ztunnel && facts.some((f) => f.ambient)) found.push(`ztunnel in namespace ${ztunnel.namespace} (node-proxy rows)`);
  for (const mesh of ['istio', 'linkerd'] as const) {
    const plane = meshes.find((m) => m.mesh === mesh);
    if (plane && facts.some((f) => f.mesh === mesh)) found.push(`the ${mesh === 'istio' ? 'Istio' : 'Linkerd'} control plane in namespace ${plane.namespace} (control-plane rows)`);
  }
  return found;
}

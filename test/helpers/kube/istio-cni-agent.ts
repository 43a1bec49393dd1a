/**
 * A double of istio-cni's node agent, the one piece of Istio ambient that cannot run here: the real agent enters
 * each pod's network namespace on its node to install the redirection rules and hands the pod to ztunnel over a
 * Unix socket, and there are no pod network namespaces on the simulated nodes. What it does through the API server
 * is played here, from istio/istio at the pinned pseudo-version (scripts/kube-test-env/build.sh), file:line cited:
 *
 * - one agent per node where the istio-cni DaemonSet's pod runs; it sees only pods of its node
 *   (cni/pkg/nodeagent/informers.go:107, `FieldSelector: "spec.nodeName=" + NodeName`);
 * - which pods: the enablement selectors of the chart's ConfigMap, key AMBIENT_ENABLEMENT_SELECTOR
 *   (manifests/charts/istio-cni/templates/configmap-cni.yaml:18), each a pod selector and a namespace selector, an
 *   empty one matching everything (cni/pkg/util/enablement_selector.go:46-58), with host-network pods and pods
 *   that carry a sidecar (annotation sidecar.istio.io/status) never enrolled
 *   (cni/pkg/util/enablement_selector.go:81-96); namespaces of EXCLUDE_NAMESPACES are left out
 *   (configmap-cni.yaml:31; informers.go:292-294); terminated pods are left alone (informers.go:295);
 * - a pod without an IP yet is skipped (informers.go:375-378);
 * - when ztunnel on the node accepts the pod, the agent merge-patches `ambient.istio.io/redirection: enabled`
 *   through the pods/status subresource (cni/pkg/util/podutil.go:104-117, called at
 *   cni/pkg/nodeagent/meshdataplane_linux.go:183); when no ztunnel is connected it patches `pending` instead
 *   (podutil.go:119-131, meshdataplane_linux.go:159) and retries;
 * - ztunnel is the pod of the agent's node in the agent's namespace labelled app=ztunnel
 *   (cni/pkg/util/podutil.go:100-102 IsZtunnelPod); "connected" is played as that pod being Running and Ready.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { ISTIO_NAMESPACE } from './istio-charts.ts';

export interface IstioCniAgent {
  stop(): Promise<void>;
}

interface EnablementSelector {
  podSelector?: k8s.V1LabelSelector;
  namespaceSelector?: k8s.V1LabelSelector;
}

const ANNOTATION = 'ambient.istio.io/redirection';
const SIDECAR_STATUS = 'sidecar.istio.io/status';
const ROUND_MS = 250;

/** Kubernetes label-selector semantics (an empty selector matches everything). */
export function selectorMatches(selector: k8s.V1LabelSelector | undefined, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const e of selector?.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key] ?? '';
    const inValues = (e.values ?? []).includes(value);
    const ok = e.operator === 'In' ? has && inValues : e.operator === 'NotIn' ? !has || !inValues : e.operator === 'Exists' ? has : !has;
    if (!ok) return false;
  }
  return true;
}

function ready(pod: k8s.V1Pod): boolean {
  return pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export async function startIstioCniAgent(kc: k8s.KubeConfig, rendered: readonly k8s.KubernetesObject[]): Promise<IstioCniAgent> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  const config = rendered.find((o): o is k8s.V1ConfigMap => o.kind === 'ConfigMap' && o.metadata?.name === 'istio-cni-config');
  const cni = rendered.find((o): o is k8s.V1DaemonSet => o.kind === 'DaemonSet' && o.metadata?.name === 'istio-cni-node');
  if (!config?.data?.AMBIENT_ENABLEMENT_SELECTOR || !cni) throw new Error('Istio\'s istio-cni chart rendered no istio-cni-config ConfigMap with AMBIENT_ENABLEMENT_SELECTOR, or no istio-cni-node DaemonSet');
  const selectors = k8s.loadYaml<EnablementSelector[]>(config.data.AMBIENT_ENABLEMENT_SELECTOR);
  const excluded = new Set((config.data.EXCLUDE_NAMESPACES ?? '').split(',').filter((ns) => ns !== ''));
  const agentSelector = cni.spec?.selector;

  const enrol = async (): Promise<void> => {
    const system = await core.listNamespacedPod({ namespace: ISTIO_NAMESPACE });
    const agents = new Set(system.items.filter((p) => ready(p) && selectorMatches(agentSelector, p.metadata?.labels ?? {})).map((p) => p.spec?.nodeName));
    const ztunnels = new Set(system.items.filter((p) => ready(p) && p.metadata?.labels?.app === 'ztunnel').map((p) => p.spec?.nodeName));
    const namespaces = new Map((await core.listNamespace()).items.map((ns) => [ns.metadata?.name ?? '', ns.metadata?.labels ?? {}]));
    const pods = await core.listPodForAllNamespaces();
    for (const pod of pods.items) {
      const node = pod.spec?.nodeName;
      const namespace = pod.metadata?.namespace ?? '';
      if (!node || !agents.has(node) || excluded.has(namespace)) continue;
      if (pod.spec?.hostNetwork || pod.metadata?.annotations?.[SIDECAR_STATUS] !== undefined) continue;
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || pod.metadata?.deletionTimestamp) continue;
      if (!pod.status?.podIP) continue;
      const labels = pod.metadata?.labels ?? {};
      const nsLabels = namespaces.get(namespace) ?? {};
      if (!selectors.some((s) => selectorMatches(s.podSelector, labels) && selectorMatches(s.namespaceSelector, nsLabels))) continue;
      const want = ztunnels.has(node) ? 'enabled' : 'pending';
      if (pod.metadata?.annotations?.[ANNOTATION] === want) continue;
      await core.patchNamespacedPodStatus({ name: pod.metadata?.name ?? '', namespace, body: { metadata: { annotations: { [ANNOTATION]: want } } } }, merge);
    }
  };

  let stopped = false;
  const stopping = new AbortController();
  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        await enrol();
      } catch {
        // a pod or namespace went away meanwhile; the next round sees the new state (the agent retries too)
      }
      await sleep(ROUND_MS, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  };
  const running = loop();
  return {
    async stop() {
      stopped = true;
      stopping.abort();
      await running;
    },
  };
}

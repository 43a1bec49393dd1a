import * as k8s from '@kubernetes/client-node';
import type { Scenario } from '../../scenario/schema.ts';
import { applyObjects } from './client/apply.ts';
import { connect, type Cluster } from './client/connect.ts';
import { during } from './client/errors.ts';
import { cleanupRuns } from './cleanup.ts';
import { loadCodeBundle } from './code-bundle.ts';
import { namespaceName, ROLE_LABEL, runLabels } from './labels.ts';
import { modeContext, type RenderContext } from './manifests/context.ts';
import { modeNamespace } from './manifests/namespace.ts';
import { waypointGateway } from './manifests/waypoint.ts';
import { codeConfigMap, echoDeployment } from './manifests/workload.ts';
import { requireMeshes } from './mesh-check.ts';
import { waitFor } from './wait.ts';
import { isKubernetesMode, modeFacts, type KubernetesMode } from './modes.ts';
import { choosePlacement } from './placement.ts';
import { waitForWaypoint } from './readiness.ts';
import { parseQuantity } from './resources/quantity.ts';
import { effectiveAmounts, injectedContainers, podsThatFit, type PodAmounts } from '../../startup/pod-requests.ts';
import type { StartupMeasured, StartupMode, StartupOptions, StartupResult } from '../../startup/schema.ts';
import { startupTimes } from '../../startup/stats.ts';

/** Pods of the start-up measurement: not the echo Deployment's (its ReplicaSet would adopt pods its selector matches). */
const STARTUP_APP = 'echo-startup';


interface PodTiming {
  readyMs: number[];
  failed: number;
  template: k8s.V1PodSpec;
  admitted: k8s.V1PodSpec | undefined;
}

/**
 * Start-up on Kubernetes: per round and mode (modes interleaved within a round), M pods of the workload created at
 * once in the mode's namespace, each timed from its create request to the moment a watch sees its Ready condition
 * turn True (the local monotonic clock, not the API's second-resolution timestamps); what the mesh's admission added
 * to each pod, read from the pods as admitted; and how many such pods fit on the node. The pods of a round are
 * deleted before the next; every namespace is removed at the end, also on failure and Ctrl-C.
 */
export async function kubernetesStartup(scenario: Scenario, runId: string, options: StartupOptions): Promise<StartupMeasured> {
  const settings = scenario.kubernetes;
  const modes = scenario.modes.filter(isKubernetesMode);
  const cluster = connect(settings.context);
  try {
    await requireMeshes(cluster, modes, settings.istio.revision);
    const placement = await choosePlacement(cluster, settings.placement);
    const code = loadCodeBundle();
    const contexts = new Map<KubernetesMode, RenderContext>();
    for (const mode of modes) {
      const context = modeContext(scenario, runId, mode, code, placement);
      contexts.set(mode, context);
      const objects: k8s.KubernetesObject[] = [modeNamespace(runId, mode, settings.istio.revision), codeConfigMap(context)];
      if (modeFacts(mode).waypoint) objects.push(waypointGateway(context));
      await applyObjects(cluster, objects);
      if (modeFacts(mode).waypoint) await waitForWaypoint(cluster, namespaceName(runId, mode), settings.timeouts.rollout, options.signal);
    }
    const timings = new Map<KubernetesMode, PodTiming[]>();
    for (let round = 1; round <= options.rounds; round++) {
      for (const mode of modes) {
        options.signal.throwIfAborted();
        const timing = await startPods(cluster, contexts.get(mode)!, round, options.pods, settings.timeouts.rollout, options.signal);
        timings.set(mode, [...(timings.get(mode) ?? []), timing]);
      }
    }
    const node = options.node ?? (await nodeSize(cluster, placement.serverNode));
    const results = modes.map((mode): StartupMode => {
      const rounds = timings.get(mode) ?? [];
      const baseline = mode === 'baseline' ? undefined : timings.get('baseline' as KubernetesMode);
      const admitted = rounds.find((r) => r.admitted)?.admitted;
      const template = rounds[0]?.template;
      const requests = admitted ? effectiveAmounts(admitted, 'requests') : undefined;
      return {
        mode,
        failed: rounds.reduce((sum, r) => sum + r.failed, 0),
        ...startupTimes(
          rounds.map((r) => r.readyMs),
          baseline?.map((r) => r.readyMs),
        ),
        added:
          admitted && template
            ? {
                injectedContainers: injectedContainers(template, admitted),
                requests: difference(requests!, effectiveAmounts(template, 'requests')) as { cpuCores: number; memoryBytes: number },
                limits: difference(effectiveAmounts(admitted, 'limits'), effectiveAmounts(template, 'limits')),
              }
            : null,
        podsPerNode: requests ? podsThatFit(node, requests) : null,
      };
    });
    return { schemaVersion: 1, runId, runtime: 'kubernetes', measures: 'creation-to-ready', pods: options.pods, rounds: options.rounds, node, modes: results };
  } finally {
    await cleanupRuns(cluster, { runId, timeoutMs: settings.timeouts.rollout });
  }
}

function difference(a: PodAmounts, b: PodAmounts): PodAmounts {
  const minus = (x: number | null, y: number | null): number | null => (x === null || y === null ? null : Math.round((x - y) * 1e6) / 1e6);
  return { cpuCores: minus(a.cpuCores, b.cpuCores), memoryBytes: minus(a.memoryBytes, b.memoryBytes) };
}

/** The allocatable CPU, memory and pod count of a node. */
async function nodeSize(cluster: Cluster, name: string): Promise<NonNullable<StartupResult['node']>> {
  const node = await during(`reading node ${name}`, () => cluster.core.readNode({ name }));
  const allocatable = node.status?.allocatable ?? {};
  return {
    name,
    cpuCores: parseQuantity(allocatable['cpu'] ?? '0'),
    memoryBytes: parseQuantity(allocatable['memory'] ?? '0'),
    maxPods: Math.round(parseQuantity(allocatable['pods'] ?? '110')),
  };
}

const isReady = (pod: k8s.V1Pod): boolean => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Creates `count` pods of the mode's workload at once and times each to Ready; deletes them after. */
async function startPods(cluster: Cluster, context: RenderContext, round: number, count: number, timeoutMs: number, signal: AbortSignal): Promise<PodTiming> {
  const namespace = namespaceName(context.runId, context.mode);
  const template = echoDeployment(context).spec!.template;
  const roundLabel = `startup-${round}`;
  const labels = { ...runLabels(context.runId, context.mode), 'app.kubernetes.io/name': STARTUP_APP, [ROLE_LABEL]: roundLabel };
  const created = new Map<string, number>();
  const ready = new Map<string, number>();
  let admitted: k8s.V1PodSpec | undefined;
  let settle: () => void = () => undefined;
  const allReady = new Promise<void>((resolve) => (settle = resolve));
  const seen = (pod: k8s.V1Pod): void => {
    const name = pod.metadata?.name ?? '';
    if (!ready.has(name) && isReady(pod)) {
      ready.set(name, performance.now());
      if (ready.size === count) settle();
    }
  };
  const watch = await new k8s.Watch(cluster.config).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    { labelSelector: `${ROLE_LABEL}=${roundLabel}` },
    (_type: string, pod: k8s.V1Pod) => seen(pod),
    () => undefined,
  );
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const name = `${STARTUP_APP}-${round}-${i + 1}`;
        const body: k8s.V1Pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace, labels, annotations: template.metadata?.annotations ?? {} },
          spec: template.spec!,
        };
        created.set(name, performance.now());
        const pod = await during(`creating pod ${namespace}/${name}`, () => cluster.core.createNamespacedPod({ namespace, body }));
        admitted ??= pod.spec;
        seen(pod);
      }),
    );
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([allReady, timer, aborted]);
    signal.throwIfAborted();
    const readyMs = [...ready].map(([name, at]) => Math.round((at - created.get(name)!) * 1000) / 1000);
    return { readyMs, failed: count - ready.size, template: template.spec!, admitted };
  } finally {
    watch.abort();
    await removePods(cluster, namespace, `${ROLE_LABEL}=${roundLabel}`, timeoutMs);
  }
}

/**
 * Deletes a round's pods and waits until they are gone: the next mode's pods go to the same node, and pods still
 * terminating there would hold its CPU and memory (they could not be scheduled, and would be timed waiting for it).
 */
async function removePods(cluster: Cluster, namespace: string, labelSelector: string, timeoutMs: number): Promise<void> {
  await during(`deleting the start-up pods of ${namespace}`, () =>
    cluster.core.deleteCollectionNamespacedPod({ namespace, labelSelector, gracePeriodSeconds: 0 }),
  );
  await waitFor(`the start-up pods of ${namespace} to go`, timeoutMs, undefined, async () => {
    const left = await during(`listing pods of ${namespace}`, () => cluster.core.listNamespacedPod({ namespace, labelSelector }));
    return left.items.length === 0 ? true : `${left.items.length} left`;
  });
}

import * as k8s from '@kubernetes/client-node';
import type { Scenario } from '../../scenario/schema.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyObjects } from './client/apply.ts';
import { connect, type Cluster } from './client/connect.ts';
import { apiMessage, during } from './client/errors.ts';
import { cleanupRuns } from './cleanup.ts';
import { loadCodeBundle } from './code-bundle.ts';
import { APP_PORT, namespaceName } from './labels.ts';
import { modeContext, type RenderContext } from './manifests/context.ts';
import { modeNamespace } from './manifests/namespace.ts';
import { PROBER_NAME, proberPod, roundSelector, startupHost, startupPod, startupService } from './manifests/startup.ts';
import { waypointGateway } from './manifests/waypoint.ts';
import { codeConfigMap, echoDeployment } from './manifests/workload.ts';
import { requireMeshes } from './mesh-check.ts';
import { waitFor } from './wait.ts';
import { isKubernetesMode, modeFacts, type KubernetesMode } from './modes.ts';
import { choosePlacement } from './placement.ts';
import { waitForWaypoint } from './readiness.ts';
import { parseQuantity } from './resources/quantity.ts';
import { podProblem } from './pod-status.ts';
import { ProberClient } from './startup-prober.ts';
import { POLL_INTERVAL_MS } from '../../pod/prober-server.ts';
import { firstAnswerTimes, roundAnswers, type AnswerRound } from '../../startup/first-answer.ts';
import { effectiveAmounts, injectedContainers, podsThatFit, type PodAmounts } from '../../startup/pod-requests.ts';
import type { StartupMeasured, StartupMode, StartupOptions, StartupResult } from '../../startup/schema.ts';
import { startupTimes } from '../../startup/stats.ts';

interface PodTiming {
  readyMs: number[];
  failed: number;
  /** The round's first answers through the mesh, or why they could not be measured. */
  answers: AnswerRound | string;
  template: k8s.V1PodSpec;
  admitted: k8s.V1PodSpec | undefined;
}

/**
 * Start-up on Kubernetes: per round and mode (modes interleaved within a round), M pods of the workload created at
 * once in the mode's namespace, each timed from its create request to the moment a watch sees its Ready condition
 * turn True (the local monotonic clock, not the API's second-resolution timestamps), and to its first 2xx answer
 * through the mesh, asked by the mode's prober pod (manifests/startup.ts) from the moment a watch sees the pod's
 * address, its time carried to the local clock through the prober's clock offset; what the mesh's admission added
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
      const objects: k8s.KubernetesObject[] = [modeNamespace(runId, mode, settings.istio.revision), codeConfigMap(context), startupService(context)];
      if (modeFacts(mode).waypoint) objects.push(waypointGateway(context));
      await applyObjects(cluster, objects);
      if (modeFacts(mode).waypoint) await waitForWaypoint(cluster, namespaceName(runId, mode), settings.timeouts.rollout, options.signal);
      // The prober joins the mesh through the namespace's opt-in: created after the waypoint, as the generator is.
      await during(`creating pod ${namespaceName(runId, mode)}/${PROBER_NAME}`, () =>
        cluster.core.createNamespacedPod({ namespace: namespaceName(runId, mode), body: proberPod(context) }),
      );
    }
    const probers = new Map<KubernetesMode, ProberClient | string>();
    for (const mode of modes) probers.set(mode, await readyProber(cluster, namespaceName(runId, mode), settings.timeouts.rollout, options.signal));
    const timings = new Map<KubernetesMode, PodTiming[]>();
    for (let round = 1; round <= options.rounds; round++) {
      for (const mode of modes) {
        options.signal.throwIfAborted();
        const timing = await startPods(cluster, contexts.get(mode)!, probers.get(mode)!, round, options.pods, settings.timeouts.rollout, options.signal);
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
        firstAnswer: firstAnswerTimes(answersOf(rounds), baseline && answersOf(baseline), POLL_INTERVAL_MS),
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

/** A mode's first answers over its rounds, or the reason of the first round that could not measure them. */
function answersOf(rounds: readonly PodTiming[]): AnswerRound[] | string {
  const missing = rounds.find((r) => typeof r.answers === 'string');
  return missing ? (missing.answers as string) : rounds.map((r) => r.answers as AnswerRound);
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

/** How many times, a second apart, meshtax tries the prober's clock once its pod is Ready before giving up on it. */
const PROBER_TRIES = 5;

/**
 * Waits for the mode's prober pod to be Ready and to answer through the API server's pod proxy. A prober that cannot
 * (its pod never runs, or no request reaches it) costs the first-answer figures, not the measurement: the reason is
 * returned and reported in their place.
 */
async function readyProber(cluster: Cluster, namespace: string, timeoutMs: number, signal: AbortSignal): Promise<ProberClient | string> {
  try {
    await waitFor(`the prober pod ${namespace}/${PROBER_NAME} to be ready`, timeoutMs, signal, async () => {
      const pod = await during(`reading pod ${namespace}/${PROBER_NAME}`, () => cluster.core.readNamespacedPod({ namespace, name: PROBER_NAME }));
      if (isReady(pod)) return true;
      const problem = podProblem(pod);
      if (problem?.stuck) throw new Error(problem.reason);
      return problem?.reason ?? (pod.status?.phase ?? 'not scheduled yet');
    });
  } catch (error) {
    signal.throwIfAborted();
    return `the prober pod did not become ready: ${error instanceof Error ? error.message : String(error)}`;
  }
  const prober = new ProberClient(cluster.config, namespace);
  let last = '';
  for (let attempt = 1; attempt <= PROBER_TRIES; attempt++) {
    signal.throwIfAborted();
    try {
      await prober.now();
      return prober;
    } catch (error) {
      last = apiMessage(error);
      if (attempt < PROBER_TRIES) await sleep(1000, undefined, { signal });
    }
  }
  return `the prober pod is Ready but answered no request through the API server's pod proxy (pods/${PROBER_NAME}:8081/proxy): ${last}`;
}

/** How often meshtax reads the prober's results while it waits for the round's first answers. */
const RESULTS_EVERY_MS = 200;

/**
 * Creates `count` pods of the mode's workload at once and times each to Ready and, through the prober, to its first
 * answer; deletes them after.
 */
async function startPods(
  cluster: Cluster,
  context: RenderContext,
  prober: ProberClient | string,
  round: number,
  count: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<PodTiming> {
  const namespace = namespaceName(context.runId, context.mode);
  const template = echoDeployment(context).spec!.template;
  const selector = roundSelector(round);
  const created = new Map<string, number>();
  const ready = new Map<string, number>();
  const probing = new Set<string>();
  const registrations: Promise<void>[] = [];
  let probeError = typeof prober === 'string' ? prober : undefined;
  let admitted: k8s.V1PodSpec | undefined;
  let settle: () => void = () => undefined;
  const allReady = new Promise<void>((resolve) => (settle = resolve));
  const seen = (pod: k8s.V1Pod): void => {
    const name = pod.metadata?.name ?? '';
    if (!ready.has(name) && isReady(pod)) {
      ready.set(name, performance.now());
      if (ready.size === count) settle();
    }
    // The prober is told a pod's address the moment the watch shows one (it is not asked to resolve the pod's name:
    // a lookup before the pod had an address would be answered "no such name", and caches keep that answer, at
    // least 5 s by default in CoreDNS's: coredns/coredns plugin/cache/README.md:24-29, 49-51).
    const ip = pod.status?.podIP;
    if (ip && typeof prober !== 'string' && created.has(name) && !probing.has(name)) {
      probing.add(name);
      registrations.push(
        prober.probe({ name, ip, port: APP_PORT, host: startupHost(context, name), timeoutMs }).catch((error: unknown) => {
          probeError ??= `telling the prober about pod ${name} failed: ${apiMessage(error)}`;
        }),
      );
    }
  };
  const watch = await new k8s.Watch(cluster.config).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    { labelSelector: selector },
    (_type: string, pod: k8s.V1Pod) => seen(pod),
    () => undefined,
  );
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const body = startupPod(context, round, i + 1);
        const name = body.metadata!.name!;
        created.set(name, performance.now());
        const pod = await during(`creating pod ${namespace}/${name}`, () => cluster.core.createNamespacedPod({ namespace, body }));
        admitted ??= pod.spec;
        seen(pod);
      }),
    );
    const deadline = performance.now() + timeoutMs;
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([allReady, timer, aborted]);
    signal.throwIfAborted();
    const readyMs = [...ready].map(([name, at]) => Math.round((at - created.get(name)!) * 1000) / 1000);
    const answers = typeof prober === 'string' ? prober : await firstAnswers(prober, created, registrations, deadline, signal, () => probeError);
    return { readyMs, failed: count - ready.size, answers, template: template.spec!, admitted };
  } finally {
    watch.abort();
    await removePods(cluster, namespace, selector, timeoutMs);
  }
}

/**
 * Waits until the prober has finished with every pod of the round (answered, or out of time) or the round's time
 * is up, then reads its clock offset and carries the first answers to the local clock; resets the prober for the
 * next round. A failure of the prober's channel becomes the round's reason instead of figures.
 */
async function firstAnswers(
  prober: ProberClient,
  created: ReadonlyMap<string, number>,
  registrations: Promise<void>[],
  deadline: number,
  signal: AbortSignal,
  failure: () => string | undefined,
): Promise<AnswerRound | string> {
  try {
    let results = await prober.results();
    while (performance.now() < deadline && ![...created.keys()].every((name) => results[name]?.done)) {
      signal.throwIfAborted();
      await sleep(RESULTS_EVERY_MS, undefined, { signal });
      results = await prober.results();
    }
    await Promise.all(registrations);
    const error = failure();
    if (error) return error;
    const offset = await prober.offset();
    results = await prober.results();
    await prober.reset();
    return roundAnswers(created, results, offset);
  } catch (error) {
    signal.throwIfAborted();
    return `reading the prober through the API server's pod proxy failed: ${apiMessage(error)}`;
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

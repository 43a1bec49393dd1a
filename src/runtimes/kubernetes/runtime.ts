import type { Warning } from '../../loadgen/types.ts';
import type { Scenario } from '../../scenario/schema.ts';
import { RuntimeFailure, type PhaseDriver, type PhaseResources, type PreparedMode, type Runtime, type RuntimeFactory, type RuntimeOptions } from '../types.ts';
import { applyObjects } from './client/apply.ts';
import { connect, type Cluster } from './client/connect.ts';
import { apiMessage } from './client/errors.ts';
import { CleanupError, cleanupRuns } from './cleanup.ts';
import { loadCodeBundle } from './code-bundle.ts';
import { detectCni, kubernetesVersion, nodeFacts, type NodeFacts } from './environment.ts';
import { KubernetesPhaseDriver } from './generator/driver.ts';
import { HealthWatch } from './health.ts';
import { namespaceName } from './labels.ts';
import type { RenderContext } from './manifests/context.ts';
import { renderMode } from './manifests/render.ts';
import { targetUrl } from './manifests/workload.ts';
import { requireMeshes, type MeshInstall } from './mesh-check.ts';
import { KUBERNETES_MODES, isKubernetesMode, modeFacts } from './modes.ts';
import { choosePlacement, type Placement } from './placement.ts';
import { readyMode } from './readiness.ts';
import { KubernetesPhaseResources } from './resources/phase-resources.ts';
import { chooseSource, type MetricsSource } from './resources/sources.ts';
import { resourceScope } from './scope.ts';

/**
 * The Kubernetes runtime: each mode in its own namespace `meshtax-<runId>-<mode>`, labelled so its mesh takes the
 * pods; an echo Deployment and Service on the server node; per phase, generator pods on the client node running
 * meshtax's engine and reporting through their logs; CPU and memory from the kubelets through the API server.
 * Everything created carries the run's labels, and clean-up deletes by them.
 */
class KubernetesRuntime implements Runtime {
  readonly name = 'kubernetes';
  private cluster: Cluster | undefined;
  private version: string | undefined;
  private placement: Placement | undefined;
  private meshes: MeshInstall[] = [];
  private nodes: NodeFacts[] = [];
  private cni: string | null = null;
  private source: MetricsSource | undefined;
  private readonly sourceProblems: string[] = [];
  private readonly drivers = new Map<string, KubernetesPhaseDriver>();
  private readonly contexts = new Map<string, RenderContext>();
  private health: HealthWatch | undefined;
  private cleaned = false;
  /** Set once the first object is sent: before that the cluster holds nothing of this run. */
  private applying = false;
  private readonly scenario: Scenario;
  private readonly runId: string;
  private readonly options: RuntimeOptions;

  constructor(scenario: Scenario, runId: string, options: RuntimeOptions) {
    this.scenario = scenario;
    this.runId = runId;
    this.options = options;
    // Nothing is sent yet; an unknown context is refused here, before the run starts, as the invalid input it is.
    this.cluster = connect(scenario.kubernetes.context);
  }

  describe(): Record<string, unknown> {
    return {
      name: this.name,
      context: this.cluster?.context ?? this.scenario.kubernetes.context ?? null,
      server: this.cluster?.server ?? null,
      kubernetesVersion: this.version ?? null,
      serverNode: this.placement?.serverNode ?? null,
      clientNode: this.placement?.clientNode ?? null,
      nodes: this.nodes,
      meshes: this.meshes.filter((m) => m.mesh !== 'gateway-api').map(({ mesh, namespace, version }) => ({ mesh, namespace, version })),
      cni: this.cni,
      metricsSource: this.source?.name ?? null,
      image: this.scenario.kubernetes.image,
      namespaces: [...this.contexts.keys()].map((mode) => namespaceName(this.runId, mode)),
      kept: this.options.keep,
    };
  }

  async prepare(modes: readonly string[], signal: AbortSignal): Promise<PreparedMode[]> {
    const kubeModes = modes.filter(isKubernetesMode);
    const settings = this.scenario.kubernetes;
    const cluster = this.cluster ?? connect(settings.context);
    this.version = await kubernetesVersion(cluster);
    this.meshes = await requireMeshes(cluster, kubeModes, settings.istio.revision);
    this.placement = await choosePlacement(cluster, settings.placement);
    const code = loadCodeBundle();
    for (const mode of kubeModes) {
      const context: RenderContext = {
        runId: this.runId,
        mode,
        settings,
        payloadBytes: this.scenario.workload.payloadBytes,
        responseDelayMs: this.scenario.workload.responseDelay,
        code,
        serverNode: this.placement.serverNode,
        clientNode: this.placement.clientNode,
      };
      this.contexts.set(mode, context);
      this.applying = true;
      await applyObjects(cluster, renderMode(context));
    }
    for (const mode of kubeModes) {
      await readyMode(cluster, this.runId, mode, settings.timeouts.rollout, signal);
      this.drivers.set(mode, new KubernetesPhaseDriver(cluster, this.contexts.get(mode)!));
    }
    await this.describeCluster(cluster);
    const chosen = await chooseSource(cluster, this.placement.serverNode, namespaceName(this.runId, kubeModes[0]!));
    this.source = chosen.source;
    this.sourceProblems.push(...chosen.problems);
    this.health = new HealthWatch(cluster, kubeModes.map((mode) => ({ namespace: namespaceName(this.runId, mode), sidecar: modeFacts(mode).sidecar })));
    this.health.start();
    return kubeModes.map((mode) => ({ mode, targetUrl: targetUrl() }));
  }

  private async describeCluster(cluster: Cluster): Promise<void> {
    const used = new Set([this.placement?.serverNode, this.placement?.clientNode]);
    try {
      const nodes = await cluster.core.listNode();
      this.nodes = nodes.items.filter((n) => used.has(n.metadata?.name)).map(nodeFacts);
    } catch (error) {
      this.sourceProblems.push(`listing nodes: ${apiMessage(error)}`);
    }
    this.cni = await detectCni(cluster);
  }

  checkHealth(mode: string): void {
    const problem = this.health?.problem(namespaceName(this.runId, mode));
    if (problem) throw new RuntimeFailure(problem);
  }

  resources(mode: string): PhaseResources | undefined {
    if (!this.cluster || !this.source || !isKubernetesMode(mode)) return undefined;
    const scope = resourceScope(this.cluster, this.runId, mode, this.meshes);
    return new KubernetesPhaseResources(this.source, scope, this.scenario.kubernetes.idleWindow, this.scenario.load.warmup);
  }

  driver(mode: string): PhaseDriver {
    const driver = this.drivers.get(mode);
    if (!driver) throw new RuntimeFailure(`mode ${mode} was not prepared`);
    return driver;
  }

  warnings(): Warning[] {
    const warnings = [...(this.placement?.warnings ?? [])];
    if (this.cluster && !this.source && this.sourceProblems.length > 0) {
      warnings.push({
        code: 'resources-unavailable',
        message: `no CPU or memory figures: neither the kubelet nor metrics.k8s.io answered (${this.sourceProblems.join('; ')})`,
        hint: 'grant get on nodes/proxy, or install metrics-server; meshtax doctor --runtime kubernetes shows which source answers',
      });
    }
    return warnings;
  }

  async cleanup(): Promise<void> {
    this.health?.stop();
    if (this.cleaned || !this.cluster || !this.applying || this.options.keep) return;
    this.cleaned = true;
    try {
      await cleanupRuns(this.cluster, { runId: this.runId, timeoutMs: this.scenario.kubernetes.timeouts.cleanup });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new CleanupError(`${message}; remove what is left with meshtax cleanup --run-id ${this.runId}`);
    }
  }
}

export const kubernetesRuntime: RuntimeFactory = {
  name: 'kubernetes',
  modes: KUBERNETES_MODES,
  create: (scenario, runId, options) => new KubernetesRuntime(scenario, runId, options),
};


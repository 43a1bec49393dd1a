import type { Scenario } from '../../scenario/schema.ts';
import { RuntimeFailure, type ControlPlaneFault, type MeshPathProbe, type ModeSwitch, type PhaseDriver, type PhaseResources, type PreparedMode, type Runtime, type RuntimeFactory, type RuntimeOptions } from '../types.ts';
import { applyObjects } from './client/apply.ts';
import { connect, type Cluster } from './client/connect.ts';
import { apiMessage } from './client/errors.ts';
import { CleanupError, cleanupRuns } from './cleanup.ts';
import { loadCodeBundle } from './code-bundle.ts';
import { detectCni, kubernetesVersion, nodeFacts, type NodeFacts } from './environment.ts';
import { KubernetesPhaseDriver } from './generator/driver.ts';
import { CapacityError, modeGroups, placementCapacityProblem } from './capacity.ts';
import { HealthWatch, type WatchedMode } from './health.ts';
import { namespaceName } from './labels.ts';
import { echoModel } from '../local/echo-model.ts';
import { appDeployments, chainPath, chainUrls, type ChainPath } from './manifests/chain.ts';
import type { RenderContext } from './manifests/context.ts';
import { enforcesPodSecurity } from './manifests/namespace.ts';
import { renderMode } from './manifests/render.ts';
import { targetUrl } from './manifests/workload.ts';
import { requireMeshes, type MeshInstall } from './mesh-check.ts';
import { KubernetesMeshPath } from './mesh-path/probe.ts';
import { KUBERNETES_MODES, isKubernetesMode, modeFacts, type KubernetesMode } from './modes.ts';
import { choosePlacement, type Placement } from './placement.ts';
import { readyMode, waitForNoAppPods } from './readiness.ts';
import { scaleEcho } from './scale.ts';
import { KubernetesPhaseResources } from './resources/phase-resources.ts';
import { chooseSource, type MetricsSource } from './resources/sources.ts';
import { resourceScope, sharedComponents } from './scope.ts';
import type { KubernetesDescription } from './description.ts';
import { consentHint, consentProblem, controlPlaneSelector, FaultsNotAllowed, KubernetesControlPlane } from './faults/control-plane.ts';
import { type Warning } from '../../core/warning.ts';

/**
 * The Kubernetes runtime: each mode in its own namespace `meshtax-<runId>-<mode>`, labelled so its mesh takes the
 * pods; an echo Deployment and Service on the server node (or a call chain's services on both nodes:
 * manifests/chain.ts); per phase, generator pods on the client node running
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
  /** Modes deployed together (kubernetes.modesAtOnce), and the group whose echo servers run now. */
  private groups: KubernetesMode[][] = [];
  private active: KubernetesMode[] = [];
  private cleaned = false;
  /** Control planes taken down by a phase's fault step: clean-up restores any still down. */
  private readonly faults: KubernetesControlPlane[] = [];
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

  describe(): KubernetesDescription {
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
      workload: this.scenario.workload.image
        ? { kind: 'image', image: this.scenario.workload.image.name, port: this.scenario.workload.image.port }
        : { kind: 'echo', ...echoModel(this.scenario.workload) },
      podSecurity: this.podSecurity(),
      namespaces: [...this.contexts.keys()].map((mode) => namespaceName(this.runId, mode)),
      kept: this.options.keep,
    };
  }

  /**
   * The Pod Security level the run's pods were made to meet, the namespaces that enforced it and those that only
   * warned (see enforcesPodSecurity), and whether the scenario relaxed it from `restricted`.
   */
  private podSecurity(): NonNullable<KubernetesDescription['podSecurity']> {
    const level = this.scenario.kubernetes.podSecurity;
    const modes = [...this.contexts.keys()].filter(isKubernetesMode);
    return {
      level,
      relaxed: level !== 'restricted',
      enforcedIn: modes.filter((mode) => enforcesPodSecurity(mode)).map((mode) => namespaceName(this.runId, mode)),
      warnedIn: modes.filter((mode) => !enforcesPodSecurity(mode)).map((mode) => namespaceName(this.runId, mode)),
    };
  }

  async prepare(modes: readonly string[], signal: AbortSignal): Promise<PreparedMode[]> {
    const kubeModes = modes.filter(isKubernetesMode);
    const settings = this.scenario.kubernetes;
    const cluster = this.cluster ?? connect(settings.context);
    this.version = await kubernetesVersion(cluster);
    this.meshes = await requireMeshes(cluster, kubeModes, settings.istio.revision);
    if (this.scenario.faults?.controlPlaneOutage) await this.requireFaultConsent(cluster, kubeModes);
    this.placement = await choosePlacement(cluster, settings.placement);
    // Pods that cannot be scheduled would sit Pending until the rollout timeout: compare first, create nothing.
    const room = await placementCapacityProblem(cluster, this.scenario, kubeModes, this.placement.serverNode, this.placement.clientNode);
    if (room) throw new CapacityError(`the scenario's pods do not fit the chosen nodes: ${room} (meshtax doctor --runtime kubernetes SCENARIO checks this)`);
    this.groups = modeGroups(kubeModes, settings.modesAtOnce);
    const first = this.groups[0] ?? [];
    const code = loadCodeBundle();
    for (const mode of kubeModes) {
      const context: RenderContext = {
        runId: this.runId,
        mode,
        settings,
        workload: this.scenario.workload,
        protocol: this.scenario.load.protocol,
        code,
        serverNode: this.placement.serverNode,
        clientNode: this.placement.clientNode,
        // The other groups' echo servers are created scaled to zero; activate() brings them up for their phases.
        replicas: first.includes(mode) ? 1 : 0,
      };
      this.contexts.set(mode, context);
      this.applying = true;
      await applyObjects(cluster, renderMode(context));
    }
    for (const mode of first) await readyMode(cluster, this.runId, mode, settings.timeouts.rollout, signal, this.apps);
    for (const mode of kubeModes) this.drivers.set(mode, new KubernetesPhaseDriver(cluster, this.contexts.get(mode)!));
    this.active = first;
    await this.describeCluster(cluster);
    const chosen = await chooseSource(cluster, this.placement.serverNode, namespaceName(this.runId, kubeModes[0]!));
    this.source = chosen.source;
    this.sourceProblems.push(...chosen.problems);
    this.health = new HealthWatch(cluster, this.watched(first));
    this.health.start();
    const chain = this.scenario.workload.chain;
    if (!chain) return kubeModes.map((mode) => ({ mode, targetUrl: targetUrl() }));
    const urls = chainUrls(chain.depth);
    return kubeModes.map((mode) => ({ mode, targetUrl: urls.at(-1)!, chainUrls: urls }));
  }

  /** The workload's Deployments: the echo server, or every service of a call chain. */
  private get apps(): string[] {
    return appDeployments(this.scenario.workload);
  }

  /** With a call chain, the path of a phase of `depth`: the service it enters at, and where its generators go. */
  private chainPath(depth: number | undefined): ChainPath | undefined {
    return chainPath(this.scenario.workload, depth);
  }

  /**
   * Brings up the group of a mode whose echo server is scaled to zero, after scaling the deployed group down and
   * waiting for its pods (and its generator pods) to go, so their requests no longer hold the nodes. The pods are
   * new for every visit: the mode is proven in effect again.
   */
  async activate(mode: string, signal: AbortSignal, switching?: (change: ModeSwitch) => void): Promise<void> {
    if (!isKubernetesMode(mode) || this.active.includes(mode) || !this.cluster) return;
    const cluster = this.cluster;
    const group = this.groups.find((g) => g.includes(mode)) ?? [mode];
    switching?.({ down: [...this.active], up: group });
    const timeout = this.scenario.kubernetes.timeouts.rollout;
    this.health?.watch([]);
    for (const down of this.active) {
      await scaleEcho(cluster, namespaceName(this.runId, down), 0, this.apps);
      await this.drivers.get(down)?.release();
    }
    for (const down of this.active) await waitForNoAppPods(cluster, namespaceName(this.runId, down), timeout, signal);
    this.active = [];
    for (const up of group) await scaleEcho(cluster, namespaceName(this.runId, up), 1, this.apps);
    for (const up of group) await readyMode(cluster, this.runId, up, timeout, signal, this.apps);
    this.active = group;
    this.health?.watch(this.watched(group));
  }

  /**
   * faults.controlPlaneOutage takes control planes down: each one the modes use must carry its owner's consent on
   * its namespace, checked before anything is created.
   */
  private async requireFaultConsent(cluster: Cluster, modes: readonly KubernetesMode[]): Promise<void> {
    const meshes = new Set<string | null>(modes.map((mode) => modeFacts(mode).mesh));
    for (const install of this.meshes.filter((m) => meshes.has(m.mesh))) {
      const problem = await consentProblem(cluster, install.namespace);
      if (problem) throw new FaultsNotAllowed(`faults.controlPlaneOutage: ${problem}; ${consentHint(install.namespace)} (meshtax doctor --runtime kubernetes SCENARIO checks this)`);
    }
  }

  controlPlane(mode: string): ControlPlaneFault | undefined {
    if (!this.cluster || !isKubernetesMode(mode)) return undefined;
    const mesh = modeFacts(mode).mesh;
    const install = this.meshes.find((m) => m.mesh === mesh);
    const selector = install && controlPlaneSelector(install, this.scenario.kubernetes.istio.revision);
    if (!install || !selector) return undefined;
    // The probe pod copies the echo server's pod, or the last service's of a call chain (it calls no one).
    const fault = new KubernetesControlPlane(this.cluster, install, selector, this.runId, mode, this.apps.at(-1));
    this.faults.push(fault);
    return fault;
  }

  private watched(modes: readonly KubernetesMode[]): WatchedMode[] {
    return modes.map((mode) => ({ namespace: namespaceName(this.runId, mode), sidecar: modeFacts(mode).sidecar }));
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

  resources(mode: string, depth?: number): PhaseResources | undefined {
    if (!this.cluster || !this.source || !isKubernetesMode(mode)) return undefined;
    const path = this.chainPath(depth);
    const generatorNode = path?.generatorOnServer ? this.placement?.serverNode : this.placement?.clientNode;
    const scope = resourceScope(this.cluster, this.runId, mode, this.meshes, this.scenario.faults?.controlPlaneOutage !== undefined, path?.entry, generatorNode);
    return new KubernetesPhaseResources(this.source, scope, this.scenario.kubernetes.idleWindow, this.scenario.load.warmup);
  }

  meshPath(mode: string, depth?: number): MeshPathProbe | undefined {
    if (!this.cluster || !this.placement || !isKubernetesMode(mode)) return undefined;
    const path = this.chainPath(depth);
    // A chain's path entering on the client node has its generators on the server node: the two swap roles.
    const { serverNode, clientNode } = this.placement;
    const placement = path?.generatorOnServer ? { ...this.placement, serverNode: clientNode, clientNode: serverNode } : this.placement;
    const probe = new KubernetesMeshPath(this.cluster, namespaceName(this.runId, mode), mode, placement, this.meshes, path?.entry);
    return probe.empty ? undefined : probe;
  }

  driver(mode: string, depth?: number): PhaseDriver {
    const driver = this.drivers.get(mode);
    if (!driver) throw new RuntimeFailure(`mode ${mode} was not prepared`);
    driver.place(this.chainPath(depth)?.generatorOnServer ? 'server' : 'client');
    return driver;
  }

  warnings(): Warning[] {
    const warnings = [...(this.placement?.warnings ?? [])];
    if (this.scenario.kubernetes.podSecurity !== 'restricted') {
      warnings.push({
        code: 'pod-security-relaxed',
        message: `the scenario relaxed Pod Security to ${this.scenario.kubernetes.podSecurity}: the workload may run as root with the default capabilities`,
        hint: 'set kubernetes.podSecurity: restricted (the default) once the image runs as a non-root user (workload.image.runAsUser)',
      });
    }
    const shared = sharedComponents([...this.contexts.keys()].filter(isKubernetesMode), this.meshes);
    if (shared.length > 0) {
      const idle = this.scenario.kubernetes.idleWindow > 0;
      warnings.push({
        code: 'shared-components',
        message: `shared with other workloads of the cluster: ${shared.join('; ')}; ${idle ? 'each mode is charged only their increase over the idle level measured before its phase' : 'kubernetes.idleWindow is 0, so no idle level is measured and they are charged in full'} (rows marked shared)`,
        ...(idle ? {} : { hint: 'set kubernetes.idleWindow (12s) so shared components are charged only what the load adds' }),
      });
    }
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
    // A control plane left down by a phase that never got to restore it comes back first, also with --keep.
    const restoreErrors: string[] = [];
    for (const fault of this.faults.filter((f) => f.isDown)) {
      await fault.restore().catch((error: unknown) => restoreErrors.push(error instanceof Error ? error.message : String(error)));
    }
    const notRestored = restoreErrors.length > 0 ? `the control plane could not be restored: ${restoreErrors.join('; ')}` : undefined;
    if (this.cleaned || !this.cluster || !this.applying || this.options.keep) {
      if (notRestored) throw new CleanupError(notRestored);
      return;
    }
    this.cleaned = true;
    try {
      await cleanupRuns(this.cluster, { runId: this.runId, timeoutMs: this.scenario.kubernetes.timeouts.cleanup });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new CleanupError(`${notRestored ? `${notRestored}; ` : ''}${message}; remove what is left with meshtax cleanup --run-id ${this.runId}`);
    }
    if (notRestored) throw new CleanupError(notRestored);
  }
}

export const kubernetesRuntime: RuntimeFactory = {
  name: 'kubernetes',
  modes: KUBERNETES_MODES,
  create: (scenario, runId, options) => new KubernetesRuntime(scenario, runId, options),
};


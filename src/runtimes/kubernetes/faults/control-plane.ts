import { PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import type { Cluster } from '../client/connect.ts';
import { apiMessage, apiStatus, during } from '../client/errors.ts';
import { APP_NAME, namespaceName, PROBE_ROLE, ROLE_LABEL, runLabels } from '../labels.ts';
import type { MeshInstall } from '../mesh-check.ts';
import { modeFacts, type KubernetesMode } from '../modes.ts';
import { waitFor, WaitTimeout } from '../wait.ts';
import type { ControlPlaneFault, OutageComponent, ProbePod } from '../../types.ts';
import { MeshtaxError } from '../../../core/errors.ts';
import { containerNames } from '../pod-status.ts';

/**
 * The label a cluster's owner puts on the control plane's namespace to let meshtax take it down
 * (faults.controlPlaneOutage): `kubectl label namespace istio-system meshtax.dev/control-plane-faults=allowed`. A
 * scenario's consent alone is not enough: the scenario may be run against the wrong context.
 */
export const FAULTS_CONSENT_LABEL = 'meshtax.dev/control-plane-faults';
export const FAULTS_CONSENT_VALUE = 'allowed';
/** On a Deployment meshtax scaled to zero: its replicas before, so `meshtax cleanup` can restore them after a crash. */
export const OUTAGE_REPLICAS_ANNOTATION = 'meshtax.dev/outage-replicas';
export const OUTAGE_RUN_ANNOTATION = 'meshtax.dev/outage-run-id';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The cluster owner has not allowed meshtax to touch this control plane: refused before anything is created. */
export class FaultsNotAllowed extends MeshtaxError {}

/**
 * The Deployments that make a mesh's control plane, by the labels of the meshes' own charts: Istio's istiod
 * (`app=istiod`, with `istio.io/rev` for a revision: manifests/charts/istio-control/istio-discovery/templates/
 * deployment.yaml), Linkerd's destination and identity (`linkerd.io/control-plane-component`: linkerd2
 * charts/linkerd-control-plane/templates/destination.yaml and identity.yaml). Linkerd's proxy injector stays up:
 * the outage is of service discovery and certificates, not of admission.
 */
export function controlPlaneSelector(mesh: MeshInstall, istioRevision: string | undefined): string | undefined {
  if (mesh.mesh === 'istio') return istioRevision ? `app=istiod,istio.io/rev=${istioRevision}` : 'app=istiod';
  if (mesh.mesh === 'linkerd') return 'linkerd.io/control-plane-component in (destination,identity)';
  return undefined;
}

/** Whether the namespace of a control plane carries the owner's consent; a problem to show otherwise. */
export async function consentProblem(cluster: Cluster, namespace: string): Promise<string | undefined> {
  const found = await during(`reading namespace ${namespace}`, () => cluster.core.readNamespace({ name: namespace }));
  if (found.metadata?.labels?.[FAULTS_CONSENT_LABEL] === FAULTS_CONSENT_VALUE) return undefined;
  return `namespace ${namespace} does not allow meshtax to take its control plane down (label ${FAULTS_CONSENT_LABEL}=${FAULTS_CONSENT_VALUE} is missing)`;
}

export function consentHint(namespace: string): string {
  return `on a cluster that is yours to break: kubectl label namespace ${namespace} ${FAULTS_CONSENT_LABEL}=${FAULTS_CONSENT_VALUE}`;
}

/** Replicas a Deployment had before meshtax scaled it down: the annotation left by an earlier outage, else its spec. */
function originalReplicas(deployment: V1Deployment): number {
  const noted = Number(deployment.metadata?.annotations?.[OUTAGE_REPLICAS_ANNOTATION]);
  if (Number.isInteger(noted) && noted > 0) return noted;
  return deployment.spec?.replicas ?? 1;
}

/** Gives a Deployment its replicas back and drops the note; shared with `meshtax cleanup`. */
export async function restoreDeployment(cluster: Cluster, namespace: string, name: string, replicas: number): Promise<void> {
  await during(`restoring Deployment ${namespace}/${name} to ${replicas} replicas`, () =>
    cluster.apps.patchNamespacedDeployment(
      { name, namespace, body: { metadata: { annotations: { [OUTAGE_REPLICAS_ANNOTATION]: null, [OUTAGE_RUN_ANNOTATION]: null } }, spec: { replicas } } },
      mergePatch,
    ),
  );
}

/** The control plane of one mesh, taken down by scaling its Deployments to zero and brought back to their replicas. */
export class KubernetesControlPlane implements ControlPlaneFault {
  readonly mesh: string;
  /** What is down now, with the replicas each gets back. */
  private readonly down = new Map<string, OutageComponent>();
  private restoredOnce: OutageComponent[] = [];
  private readonly cluster: Cluster;
  private readonly install: MeshInstall;
  private readonly selector: string;
  private readonly runId: string;
  private readonly mode: KubernetesMode;
  /** The Deployment whose pod the probe copies: the echo server, or the last service of a call chain. */
  private readonly workload: string;

  constructor(cluster: Cluster, install: MeshInstall, selector: string, runId: string, mode: KubernetesMode, workload = APP_NAME) {
    this.cluster = cluster;
    this.install = install;
    this.mesh = install.mesh;
    this.selector = selector;
    this.runId = runId;
    this.mode = mode;
    this.workload = workload;
  }

  /** Whether anything is still down (for the runtime's clean-up). */
  get isDown(): boolean {
    return this.down.size > 0;
  }

  async stop(timeoutMs: number, signal?: AbortSignal): Promise<OutageComponent[]> {
    const { namespace } = this.install;
    const list = await during(`listing the ${this.mesh} control plane in ${namespace}`, () =>
      this.cluster.apps.listNamespacedDeployment({ namespace, labelSelector: this.selector }),
    );
    if (list.items.length === 0) throw new MeshtaxError(`no Deployment labelled ${this.selector} in namespace ${namespace}`);
    const stopped: OutageComponent[] = [];
    /** Each Deployment's pods, by its own selector (its matchLabels: what the charts give). */
    const selectors: string[] = [];
    for (const deployment of list.items) {
      selectors.push(Object.entries(deployment.spec?.selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`).join(','));
      const name = deployment.metadata?.name ?? '';
      const component: OutageComponent = { kind: 'Deployment', namespace, name, replicas: originalReplicas(deployment) };
      // Remembered before the call: a scale the API applied but whose answer was lost is still undone.
      this.down.set(name, component);
      await during(`scaling Deployment ${namespace}/${name} to 0`, () =>
        this.cluster.apps.patchNamespacedDeployment(
          {
            name,
            namespace,
            body: { metadata: { annotations: { [OUTAGE_REPLICAS_ANNOTATION]: String(component.replicas), [OUTAGE_RUN_ANNOTATION]: this.runId } }, spec: { replicas: 0 } },
          },
          mergePatch,
        ),
      );
      stopped.push(component);
    }
    // Scaled to zero, the pods still run out their termination grace period: the outage begins when they are gone.
    await waitFor(
      `the ${this.mesh} control plane's pods to go`,
      timeoutMs,
      signal,
      async () => {
        const left: string[] = [];
        for (const labelSelector of selectors.filter((selector) => selector !== '')) {
          const pods = await during(`listing pods labelled ${labelSelector} in ${namespace}`, () => this.cluster.core.listNamespacedPod({ namespace, labelSelector }));
          left.push(...pods.items.map((pod) => pod.metadata?.name ?? '?'));
        }
        return left.length === 0 ? true : `${left.length} left: ${left.join(', ')}`;
      },
      250,
    );
    return stopped;
  }

  async restore(): Promise<void> {
    const failed: string[] = [];
    for (const component of [...this.down.values()]) {
      try {
        await restoreDeployment(this.cluster, component.namespace, component.name, component.replicas);
        this.down.delete(component.name);
        this.restoredOnce.push(component);
      } catch (error) {
        // Gone meanwhile: nothing to restore.
        if (apiStatus((error as { cause?: unknown }).cause) === 404) this.down.delete(component.name);
        else failed.push(`${error instanceof Error ? error.message : String(error)} (by hand: kubectl -n ${component.namespace} scale deployment ${component.name} --replicas=${component.replicas})`);
      }
    }
    if (failed.length > 0) throw new MeshtaxError(failed.join('; '));
  }

  async waitReady(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const components = this.restoredOnce;
    try {
      await waitFor(
        `the ${this.mesh} control plane to be Ready`,
        timeoutMs,
        signal,
        async () => {
          for (const c of components) {
            const d = await during(`reading Deployment ${c.namespace}/${c.name}`, () => this.cluster.apps.readNamespacedDeployment({ name: c.name, namespace: c.namespace }));
            const status = d.status;
            const current = (status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
            if (!current || (status?.readyReplicas ?? 0) < c.replicas || (status?.updatedReplicas ?? 0) < c.replicas) {
              return `${c.name}: ${status?.readyReplicas ?? 0} of ${c.replicas} Ready`;
            }
          }
          return true;
        },
        250,
      );
      return true;
    } catch (error) {
      if (error instanceof WaitTimeout) return false;
      throw error;
    }
  }

  async probePod(): Promise<ProbePod> {
    const namespace = namespaceName(this.runId, this.mode);
    const echo = await during(`reading Deployment ${namespace}/${this.workload}`, () => this.cluster.apps.readNamespacedDeployment({ name: this.workload, namespace }));
    const name = `${PROBE_ROLE}-${randomBytes(3).toString('hex')}`;
    // The echo server's pod as its Deployment makes it, under labels no Service or health check selects.
    const body: V1Pod = {
      metadata: {
        name,
        namespace,
        labels: { ...runLabels(this.runId, this.mode), [ROLE_LABEL]: PROBE_ROLE },
        annotations: echo.spec?.template.metadata?.annotations ?? {},
      },
      spec: echo.spec!.template.spec!,
    };
    const sidecar = modeFacts(this.mode).sidecar;
    const ambient = modeFacts(this.mode).ambient;
    const cluster = this.cluster;
    const remove = async (): Promise<void> => {
      try {
        await cluster.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
      } catch (error) {
        if (apiStatus(error) !== 404) throw new MeshtaxError(`deleting pod ${namespace}/${name}: ${apiMessage(error)}`);
      }
    };
    try {
      await cluster.core.createNamespacedPod({ namespace, body });
    } catch (error) {
      // An injection webhook that fails closed refuses the pod while its control plane is down.
      return { name, admitted: false, error: apiMessage(error), state: () => Promise.resolve({ ready: false, injected: null }), remove: () => Promise.resolve() };
    }
    return {
      name,
      admitted: true,
      async state() {
        const pod = await during(`reading pod ${namespace}/${name}`, () => cluster.core.readNamespacedPod({ name, namespace }));
        const injected = sidecar !== null ? containerNames(pod).includes(sidecar) : ambient ? pod.metadata?.annotations?.['ambient.istio.io/redirection'] === 'enabled' : null;
        return { ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true, injected };
      },
      remove,
    };
  }
}

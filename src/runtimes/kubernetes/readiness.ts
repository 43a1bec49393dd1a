import type { KubernetesObject } from '@kubernetes/client-node';
import type { Cluster } from './client/connect.ts';
import { apiStatus, during } from './client/errors.ts';
import { APP_NAME, namespaceName, ROLE_LABEL, WAYPOINT_NAME } from './labels.ts';
import { modeFacts, type KubernetesMode } from './modes.ts';
import { podProblem } from './pod-status.ts';
import { replicaFailure, replicaFailureHint } from './replica-failure.ts';
import { settledModeProblem } from './verify-mode.ts';
import { waitFor, WaitTimeout } from './wait.ts';
import { MeshtaxError } from '../../core/errors.ts';

export class ModeNotReady extends MeshtaxError {}

/** Waits for a Deployment's rollout: every replica updated and available; says why not (scheduling, image pulls). */
export async function waitForRollout(cluster: Cluster, namespace: string, name: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  try {
    await waitFor(`rollout of Deployment ${namespace}/${name}`, timeoutMs, signal, async () => {
      let deployment;
      try {
        deployment = await cluster.apps.readNamespacedDeployment({ name, namespace });
      } catch (error) {
        if (apiStatus(error) === 404) return `Deployment ${name} does not exist yet`;
        throw error;
      }
      const wanted = deployment.spec?.replicas ?? 1;
      const status = deployment.status;
      const done =
        (status?.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 1) &&
        (status?.updatedReplicas ?? 0) === wanted &&
        (status?.availableReplicas ?? 0) === wanted;
      if (done) return true;
      const selector = Object.entries(deployment.spec?.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
      const refused = await replicaFailure(cluster, namespace, name, status?.conditions, selector);
      const refusal = refused && `${refused.reason} (${replicaFailureHint(refused.reason, namespace)})`;
      if (refused?.lasting) throw new ModeNotReady(`Deployment ${namespace}/${name} cannot create its pods: ${refusal}`);
      const pods = await during(`listing pods of ${namespace}/${name}`, () => cluster.core.listNamespacedPod({ namespace, labelSelector: selector }));
      for (const pod of pods.items) {
        const problem = podProblem(pod);
        if (problem?.stuck) throw new ModeNotReady(`Deployment ${namespace}/${name} cannot become ready: ${problem.reason}`);
        if (problem) return problem.reason;
      }
      // A refusal that can clear is the reason to quote if the rollout times out; until then the controller retries.
      if (refusal) return `pods not created yet: ${refusal}`;
      return `${status?.availableReplicas ?? 0} of ${wanted} replicas available`;
    });
  } catch (error) {
    if (error instanceof WaitTimeout) throw new ModeNotReady(`${error.message}; raise kubernetes.timeouts.rollout if the cluster is slow`);
    throw error;
  }
}

interface GatewayStatus extends KubernetesObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** Waits until the waypoint Gateway is Programmed (istiod made its Deployment and it is ready). */
export async function waitForWaypoint(cluster: Cluster, namespace: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  try {
    await waitFor(`waypoint ${namespace}/${WAYPOINT_NAME} to be programmed`, timeoutMs, signal, async () => {
      const gateway = (await during(`reading Gateway ${namespace}/${WAYPOINT_NAME}`, () =>
        cluster.custom.getNamespacedCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', namespace, plural: 'gateways', name: WAYPOINT_NAME }),
      )) as GatewayStatus;
      const programmed = gateway.status?.conditions?.find((c) => c.type === 'Programmed');
      if (programmed?.status === 'True') return true;
      return programmed ? `Gateway condition Programmed is ${programmed.status}: ${programmed.message ?? programmed.reason ?? ''}` : 'the Gateway has no Programmed condition yet (is istiod running?)';
    });
  } catch (error) {
    if (error instanceof WaitTimeout) throw new ModeNotReady(`${error.message}; check istiod's log and kubectl get gateway -n ${namespace}`);
    throw error;
  }
  await waitForRollout(cluster, namespace, WAYPOINT_NAME, timeoutMs, signal);
}

/**
 * Brings a mode's workload to ready (its echo Deployment, or every service of a call chain: `names`) and proves the
 * mode is in effect on its server pods.
 */
export async function readyMode(cluster: Cluster, runId: string, mode: KubernetesMode, timeoutMs: number, signal?: AbortSignal, names: readonly string[] = [APP_NAME]): Promise<void> {
  const namespace = namespaceName(runId, mode);
  if (modeFacts(mode).waypoint) await waitForWaypoint(cluster, namespace, timeoutMs, signal);
  for (const name of names) await waitForRollout(cluster, namespace, name, timeoutMs, signal);
  const pods = await during(`listing pods of ${namespace}`, () => cluster.core.listNamespacedPod({ namespace, labelSelector: `${ROLE_LABEL}=app` }));
  for (const pod of pods.items) {
    if (pod.metadata?.deletionTimestamp) continue;
    const name = pod.metadata?.name ?? '';
    const reread = () => during(`reading pod ${namespace}/${name}`, () => cluster.core.readNamespacedPod({ name, namespace }));
    const problem = await settledModeProblem(mode, pod, APP_NAME, reread, signal);
    if (problem) throw new ModeNotReady(problem);
  }
}


/** Waits until a mode's echo pods are gone (scaled to zero), so the CPU and memory they requested are free again. */
export async function waitForNoAppPods(cluster: Cluster, namespace: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  try {
    await waitFor(`echo pods of ${namespace} to be removed`, timeoutMs, signal, async () => {
      const pods = await during(`listing pods of ${namespace}`, () => cluster.core.listNamespacedPod({ namespace, labelSelector: `${ROLE_LABEL}=app` }));
      return pods.items.length === 0 ? true : `${pods.items.length} pod(s) left: ${pods.items.map((p) => p.metadata?.name ?? '').join(', ')}`;
    });
  } catch (error) {
    if (error instanceof WaitTimeout) throw new ModeNotReady(`${error.message}; check kubectl get pods -n ${namespace}`);
    throw error;
  }
}

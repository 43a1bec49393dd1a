import type { V1DeploymentCondition, V1ReplicaSetCondition } from '@kubernetes/client-node';
import type { Cluster } from './client/connect.ts';
import { apiMessage, apiStatus, ClusterError } from './client/errors.ts';

/**
 * Why a Deployment's pods cannot even be created, or undefined: the `ReplicaFailure` condition the ReplicaSet
 * controller sets when the API server refuses its pods (admission: Pod Security, a quota, a policy webhook), which the
 * Deployment controller then copies onto the Deployment. No pod exists to show the reason, and waiting does not help:
 * the controller retries with the same spec and is refused the same way.
 */
export async function replicaFailure(cluster: Cluster, namespace: string, deployment: string, conditions: readonly V1DeploymentCondition[] | undefined, selector: string): Promise<string | undefined> {
  const own = failed(conditions);
  if (own) return own;
  // The ReplicaSet carries the condition first; the Deployment gets it on the controller's next sync, so a user
  // who may not list ReplicaSets still gets the reason, a moment later.
  let sets;
  try {
    sets = await cluster.apps.listNamespacedReplicaSet({ namespace, labelSelector: selector });
  } catch (error) {
    if (apiStatus(error) === 403) return undefined;
    throw new ClusterError(`listing ReplicaSets of ${namespace}/${deployment}: ${apiMessage(error)}`, { cause: error });
  }
  for (const set of sets.items) {
    if (!set.metadata?.ownerReferences?.some((owner) => owner.kind === 'Deployment' && owner.name === deployment)) continue;
    const reason = failed(set.status?.conditions);
    if (reason) return reason;
  }
  return undefined;
}

function failed(conditions: readonly (V1DeploymentCondition | V1ReplicaSetCondition)[] | undefined): string | undefined {
  const condition = conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (!condition) return undefined;
  return `ReplicaFailure ${condition.reason ?? ''}: ${condition.message ?? 'no message'}`.replace(' :', ':');
}

/** What to do about a refusal, by what refused. */
export function replicaFailureHint(reason: string, namespace: string): string {
  if (/PodSecurity/.test(reason)) {
    return (
      'a Pod Security level (the namespace\'s pod-security.kubernetes.io/enforce label or the cluster-wide default) refuses these pods; ' +
      'the meshes\' init containers (istio-init, linkerd-init) need NET_ADMIN and root, which only the privileged level allows: ' +
      'install the mesh\'s CNI plugin (istio-cni, linkerd-cni), which redirects traffic without them, or exempt meshtax\'s namespaces (meshtax-*) from that level'
    );
  }
  return `see kubectl describe replicaset -n ${namespace} and the admission policies or webhooks of the cluster`;
}

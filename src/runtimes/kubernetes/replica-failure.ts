import type { V1DeploymentCondition, V1ReplicaSetCondition } from '@kubernetes/client-node';
import type { Cluster } from './client/connect.ts';
import { apiMessage, apiStatus, ClusterError } from './client/errors.ts';

/** Why the API server refused a Deployment's pods, and whether the refusal lasts. */
export interface Refusal {
  reason: string;
  /**
   * true for a policy's decision (Pod Security, a quota, a webhook or admission policy that said no): the controller
   * retries with the same spec and is refused the same way, so waiting does not help. false for a refusal that can
   * clear: a webhook that did not answer, an internal error, a ServiceAccount not yet created.
   */
  lasting: boolean;
}

/**
 * Why a Deployment's pods cannot even be created, or undefined: the `ReplicaFailure` condition the ReplicaSet
 * controller sets when the API server refuses its pods (admission: Pod Security, a quota, a policy webhook), which the
 * Deployment controller then copies onto the Deployment. No pod exists to show the reason.
 */
export async function replicaFailure(cluster: Cluster, namespace: string, deployment: string, conditions: readonly V1DeploymentCondition[] | undefined, selector: string): Promise<Refusal | undefined> {
  const own = refusalOf(conditions);
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
    const refusal = refusalOf(set.status?.conditions);
    if (refusal) return refusal;
  }
  return undefined;
}

/**
 * Refusals that clear on their own, though the API server words some as "forbidden". A webhook that did not answer:
 * k8s.io/apiserver v0.37.2 pkg/util/webhook/error.go:36-38 ("failed calling webhook"), returned as "Internal error
 * occurred: …" by pkg/admission/plugin/webhook/mutating/dispatcher.go:225-226 when the webhook fails closed, as
 * Istio's injector does; while istiod restarts, the controller's next attempt succeeds. A ServiceAccount not yet
 * created in a new namespace: k8s.io/kubernetes v1.37.2 plugin/pkg/admission/serviceaccount/admission.go:164.
 */
const CLEARS = [/failed calling webhook/, /Internal error occurred/, /error looking up service account/];

/**
 * Refusals by a policy: Pod Security (k8s.io/pod-security-admission v0.37.2 admission/admission.go:481 "violates
 * PodSecurity"), a ResourceQuota (k8s.io/apiserver v0.37.2 pkg/admission/plugin/resourcequota/controller.go:622
 * "exceeded quota"), a webhook that answered no (pkg/admission/plugin/webhook/errors/statuserror.go:29 "denied the
 * request"), and any other admission plugin's "is forbidden".
 */
const LASTS = [/violates PodSecurity/, /exceeded quota/, /denied the request/, /is forbidden: /];

/** The ReplicaFailure among the conditions, if any, and whether it lasts; an unknown kind is waited out, not failed on. */
export function refusalOf(conditions: readonly (V1DeploymentCondition | V1ReplicaSetCondition)[] | undefined): Refusal | undefined {
  const condition = conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (!condition) return undefined;
  const message = condition.message ?? 'no message';
  const lasting = LASTS.some((pattern) => pattern.test(message)) && !CLEARS.some((pattern) => pattern.test(message));
  return { reason: `ReplicaFailure ${condition.reason ?? ''}: ${message}`.replace(' :', ':'), lasting };
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
  if (/failed calling webhook/.test(reason)) {
    return 'an admission webhook did not answer (for the meshes\' injectors: is istiod, or linkerd-proxy-injector, running?); the ReplicaSet controller keeps retrying';
  }
  return `see kubectl describe replicaset -n ${namespace} and the admission policies or webhooks of the cluster`;
}

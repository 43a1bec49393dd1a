import type { V1Deployment, V1DeploymentCondition } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../../src/runtimes/kubernetes/client/connect.ts';
import { waitForRollout } from '../../../src/runtimes/kubernetes/readiness.ts';
import { refusalOf, replicaFailureHint } from '../../../src/runtimes/kubernetes/replica-failure.ts';

/** A Deployment's ReplicaFailure condition as the Deployment controller copies it from the ReplicaSet. */
const failure = (message: string): V1DeploymentCondition[] => [
  { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated' },
  { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message },
];

describe('a refusal of the Deployment\'s pods', () => {
  it('lasts when a policy decided it: Pod Security, a quota, a webhook or admission policy that said no', () => {
    for (const message of [
      'pods "echo-5d8f-x2x7k" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "istio-init" must not include "NET_ADMIN", "NET_RAW" in securityContext.capabilities.add)',
      'pods "echo-5d8f-x2x7k" is forbidden: exceeded quota: compute, requested: requests.cpu=1, used: requests.cpu=4, limited: requests.cpu=4',
      'admission webhook "validate.kyverno.svc-fail" denied the request: policy require-labels: validation error',
      'pods "echo-5d8f-x2x7k" is forbidden: ValidatingAdmissionPolicy \'no-root\' with binding \'no-root\' denied request: runAsNonRoot',
    ]) {
      expect(refusalOf(failure(message))).toEqual({ reason: `ReplicaFailure FailedCreate: ${message}`, lasting: true });
    }
  });

  it('can clear when a webhook did not answer, the API server erred, or the ServiceAccount is not there yet', () => {
    for (const message of [
      // Istio's injector fails closed: while istiod restarts, every pod is refused like this, then admitted.
      'Internal error occurred: failed calling webhook "namespace.sidecar-injector.istio.io": failed to call webhook: Post "https://istiod.istio-system.svc:443/inject?timeout=10s": dial tcp 10.96.12.7:443: connect: connection refused',
      'pods "echo-5d8f-x2x7k" is forbidden: error looking up service account meshtax-r1-baseline/default: serviceaccount "default" not found',
      'Internal error occurred: resource quota evaluation timed out',
      'some refusal meshtax has not seen before',
    ]) {
      expect(refusalOf(failure(message))?.lasting).toBe(false);
    }
  });

  it('is absent without a true ReplicaFailure condition', () => {
    expect(refusalOf(undefined)).toBeUndefined();
    expect(refusalOf([{ type: 'ReplicaFailure', status: 'False', reason: 'FailedCreate', message: 'old' }])).toBeUndefined();
  });

  it('points at the webhook\'s server when a webhook did not answer', () => {
    const reason = refusalOf(failure('Internal error occurred: failed calling webhook "namespace.sidecar-injector.istio.io": connection refused'))!.reason;
    expect(replicaFailureHint(reason, 'meshtax-r1-istio-sidecar')).toMatch(/^an admission webhook did not answer .*istiod.*keeps retrying$/);
  });
});

describe('waiting for a rollout whose pods were refused', () => {
  const WEBHOOK_DOWN =
    'Internal error occurred: failed calling webhook "namespace.sidecar-injector.istio.io": failed to call webhook: Post "https://istiod.istio-system.svc:443/inject?timeout=10s": connect: connection refused';

  /** A cluster whose Deployment reports the given conditions and replicas, read after read; no pods exist. */
  function clusterOf(states: { conditions: V1DeploymentCondition[]; available: number }[]): Cluster {
    let read = 0;
    const deployment = (): V1Deployment => {
      const state = states[Math.min(read++, states.length - 1)]!;
      return {
        metadata: { name: 'echo', generation: 1 },
        spec: { replicas: 1, selector: { matchLabels: { app: 'echo' } }, template: {} },
        status: { observedGeneration: 1, updatedReplicas: 1, availableReplicas: state.available, conditions: state.conditions },
      };
    };
    return {
      apps: { readNamespacedDeployment: async () => deployment(), listNamespacedReplicaSet: async () => ({ items: [] }) },
      core: { listNamespacedPod: async () => ({ items: [] }) },
    } as unknown as Cluster;
  }

  it('keeps waiting through a webhook that did not answer, and succeeds once the controller\'s retry is admitted', async () => {
    const cluster = clusterOf([
      { conditions: failure(WEBHOOK_DOWN), available: 0 },
      { conditions: [], available: 1 },
    ]);
    await expect(waitForRollout(cluster, 'meshtax-r1-istio-sidecar', 'echo', 60_000)).resolves.toBeUndefined();
  });

  it('quotes that refusal if the rollout times out', async () => {
    const cluster = clusterOf([{ conditions: failure(WEBHOOK_DOWN), available: 0 }]);
    const message = await waitForRollout(cluster, 'meshtax-r1-istio-sidecar', 'echo', 0).catch((error: unknown) => (error as Error).message);
    expect(message).toContain(`did not happen within 0 s: pods not created yet: ReplicaFailure FailedCreate: ${WEBHOOK_DOWN} (an admission webhook did not answer`);
  });

  it('fails at once on a lasting refusal', async () => {
    const cluster = clusterOf([{ conditions: failure('pods "echo-1" is forbidden: violates PodSecurity "baseline:latest": privileged'), available: 0 }]);
    await expect(waitForRollout(cluster, 'meshtax-r1-istio-sidecar', 'echo', 60_000)).rejects.toThrow(
      /^Deployment meshtax-r1-istio-sidecar\/echo cannot create its pods: ReplicaFailure FailedCreate: pods "echo-1" is forbidden: violates PodSecurity/,
    );
  });
});

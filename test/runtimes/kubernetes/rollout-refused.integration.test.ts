import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../../src/runtimes/kubernetes/client/connect.ts';
import { ModeNotReady, waitForRollout } from '../../../src/runtimes/kubernetes/readiness.ts';
import { startCluster, type TestCluster } from '../../helpers/kube/cluster.ts';

/**
 * Pods the API server refuses at admission never exist, so no pod shows why: the reason is the ReplicaFailure
 * condition the real ReplicaSet and Deployment controllers set. Here the real PodSecurity admission plugin refuses a
 * pod that asks for NET_ADMIN (as istio-init and linkerd-init do) in a namespace that enforces `restricted`.
 */
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster({ nodes: ['node-a'] });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('a rollout whose pods admission refuses', () => {
  it('fails as soon as the controllers report the refusal, quoting it with a hint, instead of waiting out the timeout', async () => {
    const kc = cluster.kubeConfig();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const namespace = 'psa-restricted';
    await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } } });
    const labels = { app: 'echo' };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'echo', labels },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              initContainers: [{ name: 'istio-init', image: 'istio/proxyv2:1.28.0', securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] }, runAsUser: 0 } }],
              containers: [{ name: 'echo', image: 'node:24-alpine' }],
            },
          },
        },
      },
    });
    // A timeout the test outlives: waiting it out would end in "did not happen within 50 s", not the reason.
    const waiting = waitForRollout(connect('meshtax-test', cluster.kubeconfigPath), namespace, 'echo', 50_000);
    await expect(waiting).rejects.toThrow(ModeNotReady);
    const message = await waiting.catch((error: unknown) => (error as Error).message);
    expect(message).toMatch(
      /^Deployment psa-restricted\/echo cannot create its pods: ReplicaFailure FailedCreate: pods "echo-[a-z0-9]+-[a-z0-9]*" is forbidden: violates PodSecurity "restricted:latest": .*NET_ADMIN.* \(a Pod Security level .* install the mesh's CNI plugin \(istio-cni, linkerd-cni\)/,
    );
    expect(message).not.toMatch(/did not happen within/);
  }, 90_000);
});

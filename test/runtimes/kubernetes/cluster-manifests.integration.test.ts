import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects } from '../../../src/runtimes/kubernetes/client/apply.ts';
import { connect, type Cluster } from '../../../src/runtimes/kubernetes/client/connect.ts';
import { ClusterError } from '../../../src/runtimes/kubernetes/client/errors.ts';
import { cleanupRuns } from '../../../src/runtimes/kubernetes/cleanup.ts';
import { loadCodeBundle } from '../../../src/runtimes/kubernetes/code-bundle.ts';
import { KUBERNETES_MODES } from '../../../src/runtimes/kubernetes/modes.ts';
import { renderRun } from '../../../src/runtimes/kubernetes/render-run.ts';
import { startCluster, type TestCluster } from '../../helpers/kube/cluster.ts';
import { kubeScenario, RUN_ID } from './fixture.ts';

/**
 * The manifests `meshtax render` prints, validated by a real kube-apiserver v1.37 with the Gateway API CRDs:
 * server-side apply (which refuses fields the schema does not declare), defaulting, admission, and Pod Security
 * admission enforcing `restricted`.
 */
let cluster: TestCluster;
let api: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ nodes: ['node-a', 'node-b'] });
  api = connect(undefined, cluster.kubeconfigPath);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const scenario = kubeScenario(
  ['baseline', 'linkerd', 'istio-sidecar', 'istio-ambient', 'istio-waypoint'],
  'load: {noiseFloor: true, rates: [3000]}\nkubernetes: {placement: {server: {node: node-a}, client: {node: node-b}}, imagePullSecrets: [mirror]}',
);

describe('rendered manifests on a real API server', () => {
  it('apply for every mode, and every object lands with the run labels', async () => {
    const objects = renderRun(scenario, RUN_ID, KUBERNETES_MODES, loadCodeBundle());
    const namespaced = objects.filter((o) => o.kind !== 'Namespace');
    await applyObjects(api, objects.filter((o) => o.kind === 'Namespace'));
    await applyObjects(api, namespaced);
    for (const object of namespaced) {
      const stored = await api.objects.read({ apiVersion: object.apiVersion!, kind: object.kind!, metadata: { name: object.metadata!.name!, namespace: object.metadata!.namespace! } });
      expect(stored.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'meshtax', 'meshtax.dev/run-id': RUN_ID });
    }
    // Five modes and the A/A baseline; split generator pods (3000 rps over 2000 per pod) in each.
    expect(objects.filter((o) => o.kind === 'Pod')).toHaveLength(KUBERNETES_MODES.length * 2);
    const { deleted } = await cleanupRuns(api, { runId: RUN_ID, timeoutMs: 60_000 });
    expect(deleted.map((d) => d.namespace).sort()).toEqual(KUBERNETES_MODES.map((m) => `meshtax-${RUN_ID}-${m}`).sort());
  });

  it('pass Pod Security `restricted` enforcement: the echo pod and the generator pods', async () => {
    const core = cluster.kubeConfig().makeApiClient(k8s.CoreV1Api);
    const namespace = 'restricted-check';
    await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } } });
    try {
      const objects = renderRun(scenario, RUN_ID, ['istio-ambient'], loadCodeBundle());
      const template = (objects.find((o) => o.kind === 'Deployment') as k8s.V1Deployment).spec!.template;
      const pods: k8s.V1Pod[] = [
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo-check' }, spec: template.spec! },
        ...objects.filter((o): o is k8s.V1Pod => o.kind === 'Pod'),
      ];
      for (const pod of pods) {
        const body: k8s.V1Pod = { ...pod, metadata: { ...pod.metadata, namespace } };
        await core.createNamespacedPod({ namespace, body, dryRun: 'All' });
      }
      // The check is real: a pod that may escalate privileges is refused.
      const loose = structuredClone(pods[0]!);
      loose.metadata!.namespace = namespace;
      loose.spec!.containers[0]!.securityContext!.allowPrivilegeEscalation = true;
      await expect(core.createNamespacedPod({ namespace, body: loose, dryRun: 'All' })).rejects.toThrow(/violates PodSecurity .{0,8}restricted:latest.{0,8}: allowPrivilegeEscalation != false/);
    } finally {
      await core.deleteNamespace({ name: namespace });
    }
  });

  it('are checked field by field: a field the schema lacks is refused', async () => {
    const gateway = renderRun(scenario, '20261201-120000-cd34', ['istio-waypoint'], loadCodeBundle());
    await applyObjects(api, gateway.filter((o) => o.kind === 'Namespace'));
    try {
      const bad = structuredClone(gateway.find((o) => o.kind === 'Gateway')!) as k8s.KubernetesObject & { spec: Record<string, unknown> };
      bad.spec.waypointFor = 'service';
      await expect(applyObjects(api, [bad], { dryRun: true })).rejects.toThrow(ClusterError);
      await expect(applyObjects(api, [bad], { dryRun: true })).rejects.toThrow(/applying Gateway meshtax-20261201-120000-cd34-istio-waypoint\/waypoint: HTTP 500: failed to create typed patch object .*\.spec\.waypointFor: field not declared in schema$/);
    } finally {
      await cleanupRuns(api, { runId: '20261201-120000-cd34', timeoutMs: 60_000 });
    }
  });
});

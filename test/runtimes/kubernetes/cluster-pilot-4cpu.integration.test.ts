import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANY_MACHINE, readRun, runCli, tempDir } from '../../helpers/cli.ts';
import { startLinkerd, type LinkerdDouble } from '../../helpers/kube/linkerd.ts';
import { waitFor } from '../../helpers/poll.ts';
import { podRequests } from '../../../src/runtimes/kubernetes/capacity.ts';
import { startMeshCluster, type MeshCluster } from './mesh-cluster.ts';

/**
 * The pilot on nodes the size of a public repository's hosted runner (4 CPUs, 16 GiB), with the meshes' own pods
 * on them at their charts' default requests (istiod 500m and 2Gi, ztunnel and istio-cni on every node): doctor's
 * capacity check counts what they already request, and the run then schedules every mode's pods beside them.
 */
let mesh: MeshCluster;
let linkerd: LinkerdDouble;

const SHORT = ['--set', 'load.rates=[200]', '--set', 'load.duration=2s', '--set', 'load.warmup=1s', '--set', 'load.repetitions=1', '--set', 'kubernetes.idleWindow=1s', ...ANY_MACHINE];

beforeAll(async () => {
  mesh = await startMeshCluster({ nodes: ['node-a', 'node-b'], nodeCapacity: { cpu: '4', memory: '16Gi' } });
  linkerd = await startLinkerd(mesh.cluster);
}, 240_000);

afterAll(async () => {
  await linkerd?.stop();
  await mesh?.stop();
});

describe('the pilot on 4-CPU nodes with the meshes\' real requests', () => {
  it('doctor counts the meshes\' pods already on the nodes and finds the pilot fits', async () => {
    const core = mesh.cluster.kubeConfig().makeApiClient(k8s.CoreV1Api);
    // The meshes' pods are placed before doctor looks: istiod somewhere, ztunnel and istio-cni on both nodes.
    await waitFor('istio-system pods on the nodes', 60_000, async () => {
      const pods = await core.listNamespacedPod({ namespace: 'istio-system' });
      const placed = pods.items.filter((p) => p.spec?.nodeName);
      return placed.some((p) => p.metadata?.name?.startsWith('istiod-')) && placed.filter((p) => p.metadata?.name?.startsWith('ztunnel-')).length === 2;
    });
    const pods = await core.listNamespacedPod({ namespace: 'istio-system' });
    const requested = pods.items.filter((p) => p.spec?.nodeName).map(podRequests).reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), { cpu: 0, memory: 0 });
    // istiod 500m + 2 × ztunnel 200m + 2 × istio-cni 100m, as Istio's charts request by default.
    expect(requested.cpu).toBeCloseTo(1.1, 6);

    const result = await runCli(['doctor', 'scenarios/pilot-kubernetes.yaml', '--runtime', 'kubernetes', '--json'], undefined, mesh.env);
    const checks = Object.fromEntries((JSON.parse(result.stdout) as { checks: { name: string; status: string; detail: string }[] }).checks.map((c) => [c.name, c]));
    expect(checks.capacity).toEqual({ name: 'capacity', status: 'ok', detail: '1 of 6 modes at a time and one phase\'s generator pods fit node-a and node-b' });
  }, 120_000);

  it('runs the pilot end to end beside them', async () => {
    const out = tempDir();
    const result = await runCli(
      ['run', 'scenarios/pilot-kubernetes.yaml', '--out', out, ...SHORT, '--allow-invalid', '--set', 'thresholds=[{metric: error-rate, max: 0.001}]'],
      undefined,
      mesh.env,
    );
    const { run } = readRun(out);
    expect(run.error).toBeUndefined();
    expect(result.code).toBe(0);
    expect(new Set(run.phases.map((p) => p.mode))).toEqual(new Set(['baseline', 'baseline-aa', 'linkerd', 'istio-sidecar', 'istio-ambient', 'istio-waypoint']));
    // Nothing waited on a node without room: every phase was measured.
    expect(run.failures).toEqual([]);
  }, 600_000);
});

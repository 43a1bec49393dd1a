import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRun, runCli, tempDir } from '../../helpers/cli.ts';
import { startMeshCluster, type MeshCluster } from './mesh-cluster.ts';
import { hops } from './mesh-hops.ts';

/**
 * Istio's classic sidecar layout, chosen by istiod itself: with ENABLE_NATIVE_SIDECARS at its default, auto, istiod
 * injects istio-proxy as a native sidecar only when every node's kubelet is 1.33 or newer, for a pod not yet bound
 * to a node (istio/istio pilot/pkg/features/pilot.go:337-352, pkg/kube/inject/webhook.go:1308-1357). One node here
 * reports kubelet v1.32: istio-proxy becomes a regular container beside istio-init, and meshtax must prove and run
 * the mode as it is.
 */
let mesh: MeshCluster;

beforeAll(async () => {
  mesh = await startMeshCluster({ nodes: ['node-a', 'node-b'], kubeletVersions: { 'node-b': 'v1.32.9' } });
}, 240_000);

afterAll(async () => {
  await mesh?.stop();
});

describe('Istio\'s classic sidecar layout on a cluster with a kubelet older than 1.33', () => {
  it('istiod injects istio-proxy as a regular container; meshtax proves the mode and its proxies saw the requests', async () => {
    const out = tempDir();
    const result = await runCli(
      [
        'run',
        'scenarios/kubernetes/istio-sidecar.yaml',
        '--out',
        out,
        ...['--set', 'load.rates=[400]', '--set', 'load.duration=2s', '--set', 'load.warmup=1s', '--set', 'load.repetitions=1', '--set', 'kubernetes.idleWindow=0s'],
        // The generators run on this host beside the control plane: a busy moment may miss 99% of the rate, which
        // says nothing about the layout this test is about.
        '--allow-invalid',
      ],
      undefined,
      mesh.env,
    );
    const { run } = readRun(out);
    expect(run.error).toBeUndefined();
    expect(result.code).toBe(0);
    expect(run.phases.map((p) => p.mode)).toEqual(['baseline', 'istio-sidecar']);

    const meshed = [...mesh.seen.values()].filter((p) => p.metadata?.namespace?.endsWith('-istio-sidecar') && p.metadata?.labels?.['meshtax.dev/role']);
    expect(new Set(meshed.map((p) => p.metadata?.labels?.['meshtax.dev/role']))).toEqual(new Set(['app', 'loadgen']));
    for (const pod of meshed) {
      // Classic: istio-init runs to completion first, istio-proxy is a regular container (first, since the pods ask
      // to hold the app until the proxy is ready).
      expect(pod.spec?.initContainers?.map((c) => `${c.name}:${c.restartPolicy ?? ''}`)).toEqual(['istio-init:']);
      expect(pod.spec?.containers.map((c) => c.name)[0]).toBe('istio-proxy');
      expect(pod.metadata?.annotations?.['sidecar.istio.io/status']).toContain('istio-proxy');
    }
    const sidecar = run.phases.find((p) => p.mode === 'istio-sidecar')!;
    expect(hops(sidecar)).toEqual(['client istio-proxy (outbound):requests:ok:true', 'server istio-proxy (inbound):requests:ok:true']);
    // The sidecars' CPU and memory rows come from the regular istio-proxy containers.
    expect(sidecar.resources.filter((r) => r.role === 'sidecar').map((r) => r.container)).toEqual(['istio-proxy', 'istio-proxy']);
  }, 300_000);
});

import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRun, runCli, tempDir } from '../helpers/cli.ts';
import { startCluster, type TestCluster } from '../helpers/kube/cluster.ts';
import { okHandler, startServer, type TestServer } from '../helpers/servers.ts';
import { startFakeIstio, type FakeIstio } from './fake-istio.ts';
import { runPodsLocally, type PodRunner } from './pod-runner.ts';
import { besidesProgress } from '../helpers/progress.ts';

/**
 * Istio ambient and its waypoint on the real API server, with Istio's control loops played by the test
 * (fake-istio.ts): the modes are proven in effect, ztunnel, waypoint and istiod are attributed, and a phase split
 * over two generator pods merges.
 */
let cluster: TestCluster;
let echo: TestServer;
let pods: PodRunner;
let istio: FakeIstio;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  cluster = await startCluster({ nodes: ['node-a', 'node-b'] });
  echo = await startServer(okHandler);
  pods = runPodsLocally(cluster, echo.url);
  istio = await startFakeIstio(cluster);
  // A CNI's DaemonSet, for run.json's environment.
  const apps = cluster.kubeConfig().makeApiClient(k8s.AppsV1Api);
  const labels = { app: 'kindnet' };
  await apps.createNamespacedDaemonSet({
    namespace: 'kube-system',
    body: { metadata: { name: 'kindnet', labels }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'kindnet-cni', image: 'kindest/kindnetd:v20250512' }] } } } },
  });
  env = { KUBECONFIG: cluster.kubeconfigPath };
}, 120_000);

afterAll(async () => {
  await istio?.stop();
  await pods?.stop();
  await echo?.close();
  await cluster?.stop();
});

describe('Istio ambient and waypoint on a real API server', () => {
  it('measures both modes with ztunnel, waypoint and control plane attributed, over two generator pods', async () => {
    const out = tempDir();
    const result = await runCli(
      [
        'run',
        'scenarios/kubernetes/istio-waypoint.yaml',
        '--out',
        out,
        '--set',
        'modes=[istio-ambient, istio-waypoint]',
        '--set',
        'load.rates=[400]',
        '--set',
        'load.duration=2s',
        '--set',
        'load.warmup=1s',
        '--set',
        'load.repetitions=1',
        '--set',
        'kubernetes.idleWindow=0s',
        '--set',
        'kubernetes.generator.maxRatePerPod=200',
        '--set',
        'kubernetes.generator.startDelay=4s',
      ],
      undefined,
      env,
    );
    expect(besidesProgress(result.stderr)).toBe('');
    const { run } = readRun(out);
    expect(run.error).toBeUndefined();
    expect(result.code).toBe(0);
    expect(run.environment.runtime).toMatchObject({
      meshes: [
        { mesh: 'istio', namespace: 'istio-system', version: '1.28.0' },
        { mesh: 'istio-ambient', namespace: 'istio-system', version: '1.28.0' },
      ],
      cni: 'kindnet',
    });
    expect(result.stdout).toContain('cluster: meshtax-test (Kubernetes v1.37.2, CNI kindnet); meshes: istio 1.28.0, istio-ambient 1.28.0; server node-a, client node-b');
    expect(run.phases.map((p) => p.mode)).toEqual(['istio-ambient', 'istio-waypoint']);
    for (const phase of run.phases) {
      // Two generator pods at 200 rps each, their histograms merged.
      expect(phase.generator.workers).toBe(2);
      expect(phase.counts.ok).toBeGreaterThan(600);
      const rows = phase.resources.map((r) => `${r.role}:${r.pod.replace(/-[a-z0-9]+(-[a-z0-9]+)?$/, '')}/${r.container}`).sort();
      const expected = ['app:echo/echo', 'control-plane:istiod/discovery', 'loadgen:loadgen/loadgen', 'loadgen:loadgen/loadgen', 'node-proxy:ztunnel/istio-proxy', 'node-proxy:ztunnel/istio-proxy'];
      if (phase.mode === 'istio-waypoint') expected.push('waypoint:waypoint/istio-proxy');
      expect(rows).toEqual(expected.sort());
    }
    const waypoint = run.comparisons.find((c) => c.mode === 'istio-waypoint');
    expect(waypoint).toBeUndefined(); // no baseline in this run: nothing to compare against
  }, 180_000);
});
